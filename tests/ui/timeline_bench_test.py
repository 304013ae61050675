"""1,000 scenes on the timeline: the frame time of scrolling stays far below a frame.

The figures are printed (run with -s to see them); bench/ui_timeline.py is the same
measurement as a script. The bounds are generous -- ~5x the medians measured on the
offscreen platform -- so only a real regression (painting that decodes, queries or
re-lays out every card) trips them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ui_timeline.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_ui_timeline", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_timeline_scrolls_1000_scenes_smoothly(qapp, capsys):
    r = _bench().run(n=1000, images=True, steps=500)
    with capsys.disabled():
        print(
            f"\n[timeline 1,000 scenes, {r['frames']} frames] "
            f"cold repaint median {r['cold_median_ms']:.2f} ms p95 {r['cold_p95_ms']:.2f} ms; "
            f"warm repaint median {r['warm_median_ms']:.2f} ms p95 {r['warm_p95_ms']:.2f} ms; "
            f"set_project+show {r['load_ms']:.1f} ms"
        )
    assert r["frames"] == 500
    assert r["load_ms"] < 1000  # no per-scene work when a project opens
    assert r["warm_median_ms"] < 16 and r["cold_median_ms"] < 16  # one 60 Hz frame
    assert r["warm_p95_ms"] < 50 and r["cold_p95_ms"] < 50
