"""Local preview clips: the title card made into a slow push-in by the bundled ffmpeg,
rendered in the background like a remote task."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import imageio_ffmpeg
import platformdirs

from ..base import ClipRequest, ClipStatus, ErrorKind, ProviderError
from .common import FPS, MODEL, NAME, _error, _frame_size

log = logging.getLogger(__name__)


_REMOTE_ID = re.compile(r"^local-[0-9a-f]{32}$")
_ZOOM = 0.12  # total push-in over the clip: slow enough to read the card


def default_clip_cache() -> Path:
    return platformdirs.user_cache_path("StoryClip", appauthor=False) / "local-clips"


def _ffmpeg_args(src: Path, dest: Path, width: int, height: int, duration: int) -> list[str]:
    frames = max(1, duration * FPS)
    # Upscale first: zoompan moves in whole pixels, and at 2x the steps stop jittering.
    vf = (
        f"scale={2 * width}:{2 * height}:force_original_aspect_ratio=increase,"
        f"crop={2 * width}:{2 * height},"
        f"zoompan=z='1+{_ZOOM}*on/{max(frames - 1, 1)}':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)/2'"
        f":d={frames}:s={width}x{height}:fps={FPS},"
        "setsar=1,format=yuv420p"
    )
    return [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-nostdin", "-v", "error",
        "-i", str(src), "-vf", vf, "-frames:v", str(frames), "-r", str(FPS),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-an", "-f", "mp4", str(dest),
    ]  # fmt: skip


def _write_job(folder: Path, image_png: bytes, job: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.png").write_bytes(image_png)
    (folder / "job.json").write_text(json.dumps(job))


class LocalClipProvider:
    """Renders a slow zoom over the scene image; create/poll/download like a remote API.

    Renders live in a private cache folder named after the request's external_id, so a
    repeated create (a retry, or the engine after a restart) reuses the finished file.
    """

    name = NAME
    model = MODEL

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_clip_cache()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._procs: dict[str, asyncio.subprocess.Process] = {}
        self._errors: dict[str, ProviderError] = {}
        self._cancelled: set[str] = set()

    def _folder(self, remote_id: str) -> Path:
        if not _REMOTE_ID.match(remote_id):
            raise _error(ErrorKind.NOT_FOUND, f"Local preview has no clip {remote_id!r}.")
        return self.cache_dir / remote_id.removeprefix("local-")

    def _running(self, remote_id: str) -> bool:
        task = self._tasks.get(remote_id)
        return task is not None and not task.done()

    async def create_clip(self, req: ClipRequest) -> str:
        remote_id = "local-" + hashlib.sha256(req.external_id.encode()).hexdigest()[:32]
        folder = self._folder(remote_id)
        if (folder / "clip.mp4").is_file() or self._running(remote_id):
            return remote_id
        width, height = _frame_size(req.ratio, req.resolution)
        if req.duration <= 0:
            raise _error(ErrorKind.BAD_REQUEST, "Local preview: a clip needs a positive duration.")
        job = {"width": width, "height": height, "duration": req.duration}
        self._cancelled.discard(remote_id)
        self._errors.pop(remote_id, None)
        # The task is registered before any await, so a concurrent create sees it.
        self._start(remote_id, folder, job, req.image_png)
        return remote_id

    def _start(self, remote_id: str, folder: Path, job: dict, image_png: bytes | None) -> None:
        self._tasks[remote_id] = asyncio.get_running_loop().create_task(
            self._render(remote_id, folder, job, image_png), name=f"local clip {remote_id}"
        )

    async def _render(
        self, remote_id: str, folder: Path, job: dict, image_png: bytes | None
    ) -> None:
        part = folder / "clip.part.mp4"
        try:
            if image_png is not None:
                await asyncio.to_thread(_write_job, folder, image_png, job)
            args = _ffmpeg_args(
                folder / "input.png", part, job["width"], job["height"], job["duration"]
            )
            proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            self._procs[remote_id] = proc
            try:
                _, stderr = await proc.communicate()
            except asyncio.CancelledError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                raise
            finally:
                self._procs.pop(remote_id, None)
            if proc.returncode != 0:
                lines = stderr.decode(errors="replace").strip().splitlines()
                detail = lines[-1] if lines else f"exit code {proc.returncode}"
                raise _error(
                    ErrorKind.BAD_REQUEST, f"Local preview could not render the clip: {detail}"
                )
            os.replace(part, folder / "clip.mp4")
        except asyncio.CancelledError:
            part.unlink(missing_ok=True)
            raise
        except ProviderError as exc:
            part.unlink(missing_ok=True)
            self._errors[remote_id] = exc
        except Exception as exc:  # a background task must leave its failure for poll to report
            part.unlink(missing_ok=True)
            log.exception("local clip render failed")
            self._errors[remote_id] = _error(
                ErrorKind.BAD_REQUEST,
                f"Local preview could not render the clip ({type(exc).__name__}).",
            )

    async def poll_clip(self, remote_id: str) -> ClipStatus:
        folder = self._folder(remote_id)
        out = folder / "clip.mp4"
        if out.is_file():
            return ClipStatus(state="succeeded", video_url=out.resolve().as_uri())
        if self._running(remote_id):
            return ClipStatus(state="running")
        if remote_id in self._cancelled:
            return ClipStatus(state="cancelled")
        if remote_id in self._errors:
            return ClipStatus(state="failed", error=self._errors[remote_id])
        job_file = folder / "job.json"
        if job_file.is_file() and (folder / "input.png").is_file():
            # The app stopped mid-render: the inputs are on disk, so carry on.
            job = json.loads(job_file.read_text())
            self._start(remote_id, folder, job, None)
            return ClipStatus(state="running")
        error = _error(
            ErrorKind.NOT_FOUND, "Local preview no longer has this clip; generate it again."
        )
        return ClipStatus(state="failed", error=error)

    async def cancel_clip(self, remote_id: str) -> bool:
        folder = self._folder(remote_id)
        task = self._tasks.get(remote_id)
        if task is None or task.done():
            return False
        self._cancelled.add(remote_id)
        proc = self._procs.get(remote_id)
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        task.cancel()
        await asyncio.wait({task})
        # Without its inputs a later poll cannot resume what the user cancelled.
        await asyncio.to_thread(shutil.rmtree, folder, True)
        return True

    async def download(self, url: str, dest: Path) -> int:
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise _error(
                ErrorKind.BAD_REQUEST, "Local preview can only copy its own file:// clips."
            )
        src = Path(url2pathname(parsed.path)).resolve()
        if not src.is_relative_to(self.cache_dir.resolve()):
            raise _error(
                ErrorKind.BAD_REQUEST, "Local preview can only copy its own file:// clips."
            )
        if not src.is_file():
            raise _error(
                ErrorKind.NOT_FOUND, "Local preview no longer has this clip; generate it again."
            )
        await asyncio.to_thread(shutil.copyfile, src, dest)
        return Path(dest).stat().st_size
