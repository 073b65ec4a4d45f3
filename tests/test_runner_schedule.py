"""The runner's scheduling: the longest notebook (by its last execution) starts first.

A run of a few notebooks on a few cores ends when its longest notebook ends; started
last, that notebook alone would set the run's time. Each run records how long every
notebook it executed took (``seconds.json`` beside the study's report cache) and the
next run starts them longest first; reused reports (only rendered) come last.
"""

from __future__ import annotations

import json

from cxlab.runner import SECONDS_FILE, _longest_first, _write_seconds


def test_longest_first_reused_last_untimed_in_front():
    names = ["01", "02", "03", "04", "05"]
    seconds = {"01": 4.0, "02": 9.0, "03": 15.0, "04": 5.0}
    assert _longest_first(names, seconds, set()) == ["05", "03", "02", "04", "01"]
    assert _longest_first(names, seconds, {"03"}) == ["05", "02", "04", "01", "03"]
    assert _longest_first(names, {}, set()) == names  # nothing timed yet: the study's order


def test_seconds_written_atomically_and_never_fatal(tmp_path):
    path = tmp_path / "cache" / SECONDS_FILE
    _write_seconds(path, {"b": 2.0, "a": 1.5})
    assert json.loads(path.read_text()) == {"a": 1.5, "b": 2.0}
    assert [p.name for p in path.parent.iterdir()] == [SECONDS_FILE]  # no temporary file left
    blocker = tmp_path / "file"
    blocker.write_text("")
    _write_seconds(blocker / SECONDS_FILE, {"a": 1.0})  # cannot be written: ignored


def test_run_records_every_executed_notebook(demo_run):
    """The demo run recorded the execution time of each of its notebooks for the next run."""
    from cxlab.cache import ReportCache
    from cxlab.study import demo_study_path, load_study

    study = load_study(demo_study_path())
    recorded = json.loads((ReportCache.for_study(study).directory / SECONDS_FILE).read_text())
    assert set(study.notebooks) <= set(recorded)
    assert all(v > 0 for v in recorded.values())
