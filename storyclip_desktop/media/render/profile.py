"""How segments are encoded: the export profile, and a fast low-resolution one for Play all.

Every segment of one video shares these settings, which is what lets the join copy the
streams instead of encoding again."""

from __future__ import annotations

from dataclasses import dataclass

FPS = 30


@dataclass(frozen=True)
class Profile:
    width: int
    height: int
    preset: str = "veryfast"
    crf: int = 21
    loudnorm: bool = True  # two-pass to -14 LUFS; the proxy skips the measuring pass

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    def video_args(self) -> list[str]:
        """Encoder arguments of every segment (and of the single-pass benchmark)."""
        return [
            "-c:v", "libx264", "-profile:v", "high", "-preset", self.preset, "-crf", str(self.crf),
            "-pix_fmt", "yuv420p", "-r", str(FPS), "-fps_mode", "cfr", "-g", str(2 * FPS),
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-video_track_timescale", str(FPS * 512),
        ]


def export_profile(width: int, height: int) -> Profile:
    return Profile(_even(width), _even(height))


def proxy_profile(width: int, height: int, *, max_height: int = 480) -> Profile:
    """Play all: the same cut at most `max_height` tall, encoded as fast as x264 goes."""
    scale = min(1.0, max_height / max(1, height))
    return Profile(_even(width * scale), _even(height * scale), preset="ultrafast", crf=28, loudnorm=False)


def _even(n: float) -> int:
    return max(2, int(round(n / 2)) * 2)
