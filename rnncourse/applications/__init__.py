"""The syllabus's applications, one module per application (lessons 09, 11 and 12).

Real data sets (audio, video, genomes, parallel corpora) are large and would have to
be downloaded; each generator here keeps only the structure that makes the
application a *sequence* problem, so a tiny model trained in a second shows the
point.  Every module holds an application's whole code: its data generator, its
task, the baseline it is measured against and its metric.

=========================  =====================  =========================================
application                RNN type               module
=========================  =====================  =========================================
sentiment classification   many-to-one            :mod:`.sentiment`
music generation           one-to-many            :mod:`.music`
DNA sequence analysis      many-to-one, per base  :mod:`.dna`
machine translation        encoder-decoder        :mod:`.translation` (+ :mod:`rnncourse.seq2seq`)
speech recognition         many-to-many, T_x=T_y  :mod:`.speech`
video activity recognition many-to-one            :mod:`.activity`
named entity recognition   many-to-many, T_x=T_y  :mod:`.ner`
=========================  =====================  =========================================

Shared pieces: :mod:`.frames` (:class:`FrameData`, sequences of real-valued frames)
and :mod:`.windows` (the cheap order-blind and local-window features the baselines
are built on: bag of words, k-mer counts, window features).

Token tasks return :class:`rnncourse.data.SequenceData`; the frame tasks a
:class:`FrameData`.  Every generator takes an explicit ``rng`` (a
``np.random.Generator`` or an int seed).  All public names are re-exported here, so
``from rnncourse.applications import sentiment_task`` keeps working.
"""

from __future__ import annotations

from .activity import ACTIVITY_LABELS, activity_task
from .dna import DNA_BASES, DNA_VOCAB, dna_motif_task
from .frames import FrameData
from . import music
from .music import (BAR, MELODY_NOTES, MELODY_RULES, NOTE_HZ, bayes_next_note_accuracy,
                    grammar_log_likelihood, melodies, tune_audio,
                    melody_next_note_probs, melody_rules,
                    sample_with_temperature)
from .sentiment import (SENTIMENT_LABELS, SENTIMENT_NEGATIVE, SENTIMENT_NOUNS,
                        SENTIMENT_POSITIVE, SENTIMENT_VOCAB, SentimentData,
                        review_classifier_forward, sentiment_task)
from ..labelling import (bio_entities, collapse_runs, edit_distance, entity_f1,
                         phoneme_error_rate)
from .ner import NER_TAGS, NER_VOCAB, ner_task
from .speech import (PHONEMES, SPEECH_BANDS, SpeechData, band_statistics, phoneme_templates,
                     spectrogram_frames, speech_audio_task, speech_task, synthesize_speech)
from .translation import (DIGITS, EOS, GO, SRC_VOCAB, TGT_VOCAB, TRANSLATION_VOCAB,
                          Seq2SeqData, TranslationData, exact_match_accuracy,
                          greedy_translate, number_words, number_words_units_first,
                          spelled_digits_task, token_accuracy, translation_task,
                          units_first_task, word_by_word)
from .windows import bag_of_words, frame_differences, kmer_counts, window_features

__all__ = [
    "NER_TAGS", "NER_VOCAB", "SpeechData", "band_statistics", "bio_entities", "collapse_runs",
    "edit_distance", "entity_f1", "frame_differences", "kmer_counts", "ner_task", "phoneme_error_rate",
    "spectrogram_frames", "speech_audio_task", "synthesize_speech", "window_features",
    "ACTIVITY_LABELS", "BAR", "DIGITS", "DNA_BASES", "DNA_VOCAB", "EOS", "FrameData", "GO",
    "MELODY_NOTES", "MELODY_RULES", "PHONEMES", "SENTIMENT_LABELS", "SENTIMENT_NEGATIVE",
    "SENTIMENT_NOUNS", "SENTIMENT_POSITIVE", "SENTIMENT_VOCAB", "SPEECH_BANDS",
    "SRC_VOCAB", "Seq2SeqData", "SentimentData", "TGT_VOCAB", "TRANSLATION_VOCAB", "TranslationData", "activity_task",
    "NOTE_HZ", "grammar_log_likelihood", "tune_audio",
    "bag_of_words", "bayes_next_note_accuracy", "dna_motif_task", "melody_next_note_probs", "exact_match_accuracy", "greedy_translate",
    "melodies", "melody_rules", "review_classifier_forward", "number_words", "phoneme_templates",
    "number_words_units_first", "sample_with_temperature", "spelled_digits_task", "sentiment_task", "speech_task",
    "token_accuracy", "translation_task", "units_first_task", "word_by_word",
]
