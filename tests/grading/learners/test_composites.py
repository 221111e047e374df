"""One cause, one loss: a wrong cell costs its own points, not those of the exercises that
call it as the assignment text says they should (``Exercise.uses``)."""

import json
import re
from pathlib import Path

import pytest

from rnncourse.grading import run_check
from rnncourse.grading.exercises import ASSIGNMENT_MODULES, get_assignment

from . import a10, a12, notebook
from .test_learners import _grade

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENT_MODULES))
def test_every_exercise_calling_an_earlier_one_is_graded_with_its_reference(assignment):
    # a lesson author who writes a composite must declare what it calls: the solution
    # notebook's calls are the ones the text teaches
    asg = get_assignment(assignment)
    names = [e.name for e in asg.exercises]
    nb = json.loads((REPO / "solutions" / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        defined = re.search(r"^def (\w+)\(", source, re.M)
        if cell["cell_type"] != "code" or not defined or defined.group(1) not in names:
            continue
        ex = asg.exercise(defined.group(1))
        called = {n for n in names[:names.index(ex.name)] if re.search(rf"\b{n}\(", source)}
        assert called <= set(ex.uses), (ex.name, called, ex.uses)


def _lm_loss_per_character():
    return next(m for m in a10.MISTAKES if m.exercise == "lm_loss").source


_PERPLEXITY_FROM_LOSS = '''
def perplexity(y_hat, y, mask):
    m = y.shape[1]
    return float(np.exp(lm_loss(y_hat, y, mask) * m / np.sum(mask)))
'''

_COLLAPSE_WRONG = '''
def collapse_runs(labels):
    return np.array(sorted(set(int(k) for k in labels)), dtype=int)
'''

_PER_CALLING = '''
def phoneme_error_rate(y_pred, y_true):
    errors = total = 0
    for p, t in zip(y_pred, y_true):
        p, t = collapse_runs(p), collapse_runs(t)
        D = np.zeros((len(p) + 1, len(t) + 1))
        D[:, 0], D[0, :] = np.arange(len(p) + 1), np.arange(len(t) + 1)
        for i in range(1, len(p) + 1):
            for j in range(1, len(t) + 1):
                D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + (p[i - 1] != t[j - 1]))
        errors, total = errors + D[-1, -1], total + len(t)
    return float(errors / total)
'''

_ENTITIES_WRONG = '''
def bio_entities(tags, tag_names):
    out = []
    for t, k in enumerate(tags):
        if tag_names[k].startswith("B-"):
            out.append((tag_names[k][2:], t, t + 1))
    return out
'''

#: a12's entity_f1 without the bio_entities it carries, so that it calls the notebook's
_F1_CALLING = "\ndef entity_f1" + a12.ANSWERS["entity_f1"].split("\ndef entity_f1", 1)[1]


@pytest.mark.parametrize("assignment, answers, wrong, callers", [
    ("10_language_model", {**a10.ANSWERS, "lm_loss": _lm_loss_per_character(),
                           "perplexity": _PERPLEXITY_FROM_LOSS},
     "lm_loss", ("perplexity", "train_step", "fit_language_model")),
    ("12_labelling_sequences", {**a12.ANSWERS, "collapse_runs": _COLLAPSE_WRONG,
                                "phoneme_error_rate": _PER_CALLING,
                                "bio_entities": _ENTITIES_WRONG, "entity_f1": _F1_CALLING},
     "collapse_runs bio_entities", ("phoneme_error_rate", "entity_f1")),
], ids=["10", "12"])
def test_a_wrong_cell_costs_its_own_points_not_its_callers(assignment, answers, wrong, callers,
                                                           tmp_path):
    nb = notebook.build(assignment, answers)
    results, report = _grade(nb, tmp_path, assignment)
    namespace = notebook.run_in_process(nb)
    for name in wrong.split():
        assert results[name].status == "failed", (name, results[name].feedback)
    for name in callers:
        assert results[name].status == "passed", (name, results[name].feedback)
        checked = run_check(namespace[name])
        assert checked.passed and "fix it first" in checked.text, checked.text
