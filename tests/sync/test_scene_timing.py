"""A scene's duration and fit travel through the sync like any other scene edit."""

from __future__ import annotations

from fractions import Fraction

from .conftest import assert_converged


def test_timing_set_on_one_installation_reaches_the_other(installs, server_url):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Timing", script="One.\n\nTwo.")
    a.sv.scenes.split(pid)
    a.sync()
    b.sync()
    a.sv.scenes.set_timing(pid, "S1", duration=Fraction(137, 30), fit="loop")
    b.sv.scenes.set_timing(pid, "S2", fit="slow")  # a different scene at the same time
    assert not a.sync().refused
    assert not b.sync().refused
    a.sync()
    for inst in (a, b):
        s1, s2 = inst.sv.scenes.list(pid)
        assert (s1.scene_json["duration"], s1.scene_json["fit"]) == (4.567, "loop")
        assert s2.scene_json["fit"] == "slow"
    assert_converged(server_url, a, b)
