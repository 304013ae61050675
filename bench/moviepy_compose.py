"""The same composition in MoviePy 2 (the comparison of bench/render_bench.py): each scene's
clip scaled to cover the frame and cut to its span, its subtitle cues as TextClips in the
same Hangul font, the scenes concatenated, the narration as the sound, H.264 + AAC.

Runs in its own venv (bench/.venv-moviepy: moviepy 2.2.1 needs pillow<12, the project
pins Pillow 13). Usage: python bench/moviepy_compose.py SPEC.json OUT.mp4
"""

from __future__ import annotations

import json
import sys

from moviepy import (
    AudioFileClip,
    CompositeVideoClip,
    TextClip,
    VideoFileClip,
    concatenate_videoclips,
)


def main(spec_path: str, out: str) -> None:
    spec = json.loads(open(spec_path, encoding="utf-8").read())
    w, h, fps = spec["width"], spec["height"], spec["fps"]
    scenes = []
    for s in spec["scenes"]:
        clip = VideoFileClip(s["path"], audio=False)
        scale = max(w / clip.w, h / clip.h)
        clip = clip.resized(scale)
        clip = clip.cropped(x_center=clip.w / 2, y_center=clip.h / 2, width=w, height=h)
        clip = clip.subclipped(0, min(s["duration"], clip.duration)).with_duration(s["duration"])
        layers = [clip]
        for c in s["cues"]:
            text = TextClip(
                font=spec["font"], text=c["text"], font_size=spec["font_size"], color="white",
                stroke_color="black", stroke_width=spec["outline"], text_align="center",
            )
            layers.append(
                text.with_start(c["start"]).with_duration(c["end"] - c["start"])
                .with_position(("center", h - spec["margin_v"] - text.h))
            )
        scenes.append(CompositeVideoClip(layers, size=(w, h)).with_duration(s["duration"]))
    final = concatenate_videoclips(scenes).with_audio(AudioFileClip(spec["narration"]))
    final.write_videofile(
        out, fps=fps, codec="libx264", preset="veryfast", audio_codec="aac", audio_bitrate="192k",
        ffmpeg_params=["-crf", "21", "-pix_fmt", "yuv420p", "-profile:v", "high"], threads=2, logger=None,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
