"""Tests for rnncourse.applications.chorales: Bach's soprano lines from music21's bundled corpus."""

import zipfile

import numpy as np
import pytest

from rnncourse.applications import chorales

SCORE = """<?xml version="1.0"?>
<score-partwise><part-list>
<score-part id="P1"><part-name>Soprano</part-name></score-part>
<score-part id="P2"><part-name>Alto</part-name></score-part></part-list>
<part id="P1"><measure><attributes><divisions>2</divisions></attributes>
{notes}</measure></part>
<part id="P2"><measure><note><pitch><step>C</step><octave>3</octave></pitch><duration>2</duration></note></measure></part>
</score-partwise>"""


def _note(step, octave, dur, alter=None, tie_stop=False):
    a = f"<alter>{alter}</alter>" if alter is not None else ""
    tie = '<tie type="stop"/>' if tie_stop else ""
    return f"<note><pitch><step>{step}</step>{a}<octave>{octave}</octave></pitch><duration>{dur}</duration>{tie}</note>"


def _mxl(tmp_path, notes):
    path = tmp_path / "test.mxl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("test.xml", SCORE.format(notes="".join(notes)))
        z.writestr("META-INF/container.xml", "<container/>")
    return path


def test_read_soprano_takes_the_soprano_part_merges_ties_and_transposes_to_end_on_c(tmp_path):
    notes = [_note("G", 4, 2), _note("A", 4, 2), _note("A", 4, 1, tie_stop=True), _note("B", 4, 1, alter=-1),
             _note("G", 4, 2), _note("F", 4, 2, alter=1), _note("E", 4, 2), _note("D", 4, 2), _note("G", 4, 4)]
    m = chorales.read_soprano(_mxl(tmp_path, notes))
    # ends on G4 (67): shifted by -7 to C, then by an octave to sit near C5
    raw = [67, 69, 70, 67, 66, 64, 62, 67]
    shift = m.pitches[-1] - 67
    assert m.pitches[-1] % 12 == 0 and list(np.array(m.pitches) - shift) == raw
    assert m.durations == (1.0, 1.5, 0.5, 1.0, 1.0, 1.0, 1.0, 2.0)      # the tie lengthened the A
    assert abs(np.mean(m.pitches) - 72) <= 6


def test_read_soprano_without_a_soprano_part_is_none(tmp_path):
    path = _mxl(tmp_path, [_note("C", 4, 2)] * 10)
    text = zipfile.ZipFile(path).read("test.xml").decode().replace("Soprano", "Violin")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("test.xml", text)
    assert chorales.read_soprano(path) is None


def test_melody_audio_has_one_tone_per_note_at_its_pitch():
    audio = chorales.melody_audio([69], [1.0], sample_rate=8000, seconds_per_quarter=0.5)
    assert audio.shape == (4000,)
    peak = np.argmax(np.abs(np.fft.rfft(audio))) * 8000 / audio.size
    assert abs(peak - 440) < 3
    with pytest.raises(ValueError, match="melody_audio: pitches and durations"):
        chorales.melody_audio([60, 62], [1.0])


def test_the_bundled_corpus_gives_hundreds_of_soprano_lines():
    pytest.importorskip("music21")
    paths = chorales.chorale_paths()
    assert len(paths) > 300
    melodies = chorales.soprano_melodies(5)
    assert len(melodies) == 5 and all(m.pitches[-1] % 12 == 0 for m in melodies)
