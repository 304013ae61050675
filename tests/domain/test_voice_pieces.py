"""The voice track's layout from the plan: narrated scenes carry their span to their own
start, silent scenes in a row become one silence, and the pieces tile the short."""

from fractions import Fraction

from storyclip_desktop.domain.render_plan import (
    PlannedNarration,
    PlannedScene,
    RenderPlan,
    voice_pieces,
)


def _plan(scenes: list[tuple[int, tuple[Fraction, Fraction] | None]], narration: bool = True) -> RenderPlan:
    planned, start = [], 0
    for i, (frames, span) in enumerate(scenes):
        planned.append(PlannedScene(
            scene_pk=i + 1, scene_id=f"S{i + 1}", index=i, start_frame=start, frames=frames, source="card",
            source_path=None, source_asset_id=None, source_version=None, source_frames=None, fit="still",
            speed=Fraction(1), narration_text="", title="", cues=(), narration_span=span,
        ))
        start += frames
    n = PlannedNarration("/n.wav", 1, 1, 200) if narration else None
    return RenderPlan(1, "t", "9:16", "480p", 480, 854, tuple(planned), n, None, start)


def test_pieces_follow_the_scenes_not_the_file():
    # S2 (narrated second in the file) now plays first; S3 and S4 were never narrated.
    plan = _plan([(45, (Fraction(3, 2), Fraction(3))), (36, (Fraction(0), Fraction(6, 5))), (20, None), (10, None),
                  (30, (Fraction(3), Fraction(4)))])
    got = [(p.start_frame, p.frames, p.span, p.scene_id, p.source_frame) for p in voice_pieces(plan)]
    assert got == [
        (0, 45, (Fraction(3, 2), Fraction(3)), "S1", 45),
        (45, 36, (Fraction(0), Fraction(6, 5)), "S2", 0),
        (81, 30, None, None, 0),  # S3 and S4: one silence
        (111, 30, (Fraction(3), Fraction(4)), "S5", 90),
    ]
    assert sum(p.frames for p in voice_pieces(plan)) == plan.total_frames


def test_without_a_narration_everything_is_silence():
    plan = _plan([(30, (Fraction(0), Fraction(1))), (30, None)], narration=False)
    assert [(p.start_frame, p.frames, p.span) for p in voice_pieces(plan)] == [(0, 60, None)]
