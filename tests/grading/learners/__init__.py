"""Learners' answers, written from the assignment texts alone (not from the references).

Each module ``aNN`` holds, for assignment NN: ``ANSWERS`` (exercise -> the source of a
correct answer cell, written the way a learner reading only the assignment would)
and ``MISTAKES`` (the classic wrong answers, each with the phrase its feedback must
contain).  :mod:`.notebook` builds submissions from the real ``assignments/``
notebooks by swapping the exercise cells, and ``test_learners.py`` grades them.
"""
