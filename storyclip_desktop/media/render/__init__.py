"""The finished short: each scene to a cached H.264 segment, the voice and music mixed and
loudness-normalised, then one stream-copy join. Everything runs through the imageio-ffmpeg
binary with argument lists (never a shell), and every file a filtergraph names is one we
wrote under a safe name."""

from .errors import RenderCancelled, RenderError, RenderUnavailable

__all__ = ["RenderCancelled", "RenderError", "RenderUnavailable"]
