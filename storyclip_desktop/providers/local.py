"""The "Local preview" provider for every kind: the whole pipeline with no key and no network.

Everything is made on this machine: the splitter for text, Pillow title cards for
images, the wheel-bundled ffmpeg for clips and espeak-ng (or silence) for narration.
Results are honest placeholders, labelled as such, at the project's real frame size and
durations so timing, layout and export can be checked before paying for anything.
"""

from __future__ import annotations

import asyncio
import colorsys
import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import wave
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import imageio_ffmpeg
import platformdirs
from PIL import Image, ImageDraw, ImageFont, ImageOps

from storyclip_desktop.domain.splitter import split_script as _split_chunks

from .base import (
    ClipRequest,
    ClipStatus,
    ErrorKind,
    ImageRequest,
    ImageResult,
    NarrationRequest,
    NarrationResult,
    ProviderError,
    ReferenceImage,
    SceneDraft,
    TextRequest,
    TextResult,
)
from .sizes import target_size

log = logging.getLogger(__name__)

NAME = "local"
MODEL = "local-preview"
SCENE_SECONDS = 5
FPS = 24


def _error(kind: ErrorKind, message: str, *, retryable: bool = False) -> ProviderError:
    return ProviderError(kind, message, retryable=retryable, provider=NAME)


def _frame_size(ratio: str, resolution: str) -> tuple[int, int]:
    try:
        return target_size(ratio, resolution)
    except ValueError as exc:
        raise _error(ErrorKind.BAD_REQUEST, f"Local preview: {exc}") from None


# --- text -------------------------------------------------------------------------------


def _image_prompt(chunk: str, req: TextRequest) -> str:
    # Sentence punctuation would double up with the ". " joins below.
    parts = [chunk.strip().rstrip(".!?。！？… ")]
    if req.custom_style and req.custom_style.strip():
        parts.append(f"style: {req.custom_style.strip()}")
    if req.no_subject:
        parts.append("no people, scenery only")
    return ". ".join(parts)


class LocalTextProvider:
    """Rule-based scene split; split_rule is free text for a language model, so ignored."""

    name = NAME
    model = MODEL

    async def split_script(self, req: TextRequest) -> TextResult:
        chunks = await asyncio.to_thread(_split_chunks, req.script)
        scenes = [
            SceneDraft(
                narration=chunk,
                image_prompt=_image_prompt(chunk, req),
                motion_prompt="slow push-in",  # what the local clip renderer does
                negative_prompt="people, faces" if req.no_subject else "",
                duration=SCENE_SECONDS,
            )
            for chunk in chunks
        ]
        return TextResult(scenes=scenes, usage_tokens=0, model=MODEL)


# --- image ------------------------------------------------------------------------------

_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"))
# (file name, face index of the Korean variant inside a collection)
_CJK_NAMES = (
    ("NotoSansCJK-{w}.ttc", 1),
    ("NotoSansCJKkr-{w}.otf", 0),
    ("NotoSansKR-{w}.otf", 0),
    ("NotoSansKR-{w}.ttf", 0),
)
_OS_FONTS = (
    ("/System/Library/Fonts/AppleSDGothicNeo.ttc", 0),
    ("C:/Windows/Fonts/malgun.ttf", 0),
)


@lru_cache(maxsize=2)
def _font_file(weight: str) -> tuple[str, int] | None:
    for directory in _FONT_DIRS:
        root = Path(directory)
        if not root.is_dir():
            continue
        for pattern, index in _CJK_NAMES:
            for found in sorted(root.rglob(pattern.format(w=weight))):
                return str(found), index
    for path, index in _OS_FONTS:
        if Path(path).is_file():
            return path, index
    return None


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = _font_file("Bold") if bold else None
    found = found or _font_file("Regular")
    if found is not None:
        try:
            return ImageFont.truetype(found[0], size, index=found[1])
        except OSError:
            log.warning("could not load font %s; using Pillow's default", found[0])
    # No CJK glyphs here: Korean shows as boxes, but the card still renders.
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_w: float) -> list[str]:
    """Break at spaces where possible, inside a word only when it alone is too wide (CJK)."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        cur = ""
        for word in para.split():
            candidate = f"{cur} {word}" if cur else word
            if font.getlength(candidate) <= max_w:
                cur = candidate
                continue
            if cur:
                lines.append(cur)
                cur = ""
            for ch in word:
                if cur and font.getlength(cur + ch) > max_w:
                    lines.append(cur)
                    cur = ch
                else:
                    cur += ch
        lines.append(cur)
    return lines


def _fit_lines(lines: list[str], max_lines: int) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    kept = lines[: max(max_lines, 1)]
    kept[-1] = kept[-1].rstrip()[:-1] + "…" if len(kept[-1]) > 1 else "…"
    return kept


def render_title_card(
    prompt: str,
    title: str,
    width: int,
    height: int,
    seed: int | None = None,
    references: tuple[ReferenceImage, ...] = (),
) -> bytes:
    """A PNG placeholder: hue from the prompt's hash, title, wrapped prompt, a label, and
    the reference images it was asked to follow as a strip of named thumbnails."""
    digest = hashlib.sha256(f"{prompt}\0{seed}".encode()).digest()
    hue = int.from_bytes(digest[:4], "big") / 2**32

    def rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
        r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
        return round(r * 255), round(g * 255), round(b * 255)

    top, bottom = rgb(hue, 0.45, 0.92), rgb(hue + 0.08, 0.75, 0.30)
    column = Image.new("RGB", (1, 256))
    column.putdata(
        [
            tuple(round(a + (b - a) * i / 255) for a, b in zip(top, bottom, strict=True))
            for i in range(256)
        ]
    )
    img = column.resize((width, height), Image.Resampling.BILINEAR).convert("RGBA")

    # A few translucent discs placed by the hash, so cards differ in shape, not just hue.
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    short = min(width, height)
    for i in range(3):
        cx = digest[4 + i] / 255 * width
        cy = digest[8 + i] / 255 * height
        r = short * (0.15 + digest[12 + i] / 255 * 0.35)
        shapes.ellipse(
            (cx - r, cy - r, cx + r, cy + r), fill=(*rgb(hue + 0.5 + i * 0.1, 0.4, 1.0), 48)
        )
    img = Image.alpha_composite(img, overlay).convert("RGB")

    draw = ImageDraw.Draw(img)
    margin = round(width * 0.08)
    max_w = width - 2 * margin
    title_font = _font(max(12, round(short * 0.075)), bold=True)
    body_font = _font(max(10, round(short * 0.045)))
    stroke = max(1, round(short / 360))
    label_font = _font(max(9, round(short * 0.03)), bold=True)
    label_h = round(label_font.size * 2.2)
    title_lines = _fit_lines(_wrap(title.strip() or "Scene", title_font, max_w), 2)
    title_step = round(title_font.size * 1.25)
    title_h = title_step * len(title_lines) + round(title_step * 0.5)
    body_step = round(body_font.size * 1.4)
    room = height - 2 * margin - label_h - title_h
    if references:
        side, gap, cap_h = _strip_geometry(width, height, len(references), margin, label_font)
        room -= side + cap_h + 2 * gap
    body_lines = _fit_lines(_wrap(prompt.strip(), body_font, max_w), max(1, room // body_step))
    # Centred vertically: timeline cards and thumbnails crop a 9:16 frame to its middle.
    y = max(margin, (height - title_h - body_step * len(body_lines)) // 2)
    for line, font, step, fill in [
        *((t, title_font, title_step, (255, 255, 255)) for t in title_lines),
        ("", body_font, round(title_step * 0.5), None),
        *((b, body_font, body_step, (245, 245, 245)) for b in body_lines),
    ]:
        if fill is not None:
            draw.text((margin, y), line, font=font, fill=fill, stroke_width=stroke, stroke_fill=(0, 0, 0))
        y += step

    if references:
        _draw_references(img, references, margin, height - margin - label_h, label_font)

    label = "LOCAL PREVIEW"
    pad = round(label_font.size * 0.5)
    lw = round(label_font.getlength(label))
    x0, y0 = width - margin - lw - 2 * pad, height - margin - label_h
    draw.rounded_rectangle((x0, y0, width - margin, height - margin), radius=pad, fill=(0, 0, 0))
    draw.text(
        (x0 + pad, y0 + label_h // 2),
        label,
        font=label_font,
        fill=(255, 210, 60),
        anchor="lm",
    )

    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


MAX_DRAWN_REFERENCES = 6


def _strip_geometry(
    width: int, height: int, n: int, margin: int, font: ImageFont.FreeTypeFont | ImageFont.ImageFont
) -> tuple[int, int, int]:
    """(thumbnail side, gap, caption height) of the reference strip."""
    n = max(1, min(n, MAX_DRAWN_REFERENCES))
    gap = max(2, margin // 3)
    side = min(round(height * 0.16), (width - 2 * margin - gap * (n - 1)) // n)
    return side, gap, round(font.size * 1.6)


def _draw_references(
    img: Image.Image,
    refs: tuple[ReferenceImage, ...],
    margin: int,
    bottom: int,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    """Thumbnails in a row just above the label, each captioned with whom it shows."""
    n = min(len(refs), MAX_DRAWN_REFERENCES)
    side, gap, cap_h = _strip_geometry(img.width, img.height, n, margin, font)
    top = bottom - gap - cap_h - side
    draw = ImageDraw.Draw(img)
    for i, ref in enumerate(refs[:n]):
        x = margin + i * (side + gap)
        try:
            with Image.open(io.BytesIO(ref.data)) as src:
                thumb = ImageOps.fit(src.convert("RGB"), (side, side))
        except (OSError, ValueError):
            thumb = Image.new("RGB", (side, side), (60, 60, 60))
        img.paste(thumb, (x, top))
        draw.rectangle((x, top, x + side - 1, top + side - 1), outline=(255, 255, 255), width=max(1, side // 40))
        caption = ref.character or "style"
        while len(caption) > 1 and font.getlength(caption) > side:
            caption = caption[:-1]
        draw.text(
            (x + side // 2, top + side + cap_h // 2), caption, font=font, fill=(255, 255, 255),
            anchor="mm", stroke_width=1, stroke_fill=(0, 0, 0),
        )


class LocalImageProvider:
    name = NAME
    model = MODEL

    async def generate_image(self, req: ImageRequest) -> ImageResult:
        width, height = _frame_size(req.ratio, req.resolution)
        png = await asyncio.to_thread(
            render_title_card, req.prompt, req.title, width, height, req.seed, req.references
        )
        return ImageResult(
            png=png, width=width, height=height, usage_tokens=0, model=MODEL, meta={"local": True}
        )


# --- clip -------------------------------------------------------------------------------

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


# --- narration --------------------------------------------------------------------------

KO_CHARS_PER_S = 7.0
EN_CHARS_PER_S = 15.0
SAMPLE_RATE = 22050  # espeak-ng's own rate, so both paths sound and size alike
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
# voice -> (espeak variant, pitch 0-99, words per minute): two clearly different speakers
_VOICES = {"Bin": ("m3", 38, 160), "Otani": ("m1", 62, 175)}
_DEFAULT_VOICE = ("", 50, 170)


def speech_language(text: str, language: str = "ko") -> str:
    """Espeak language, ko or en: the text's script decides; the project language breaks ties."""
    if _HANGUL.search(text):
        return "ko"
    if _LATIN.search(text):
        return "en"
    return "ko" if language.startswith("ko") else "en"


def estimate_seconds(text: str, language: str = "ko") -> float:
    """Reading time at a calm narration pace, at least one second."""
    rate = KO_CHARS_PER_S if speech_language(text, language) == "ko" else EN_CHARS_PER_S
    return max(1.0, len(text.strip()) / rate)


def silent_wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(b"\0\0" * round(seconds * SAMPLE_RATE))
    return buf.getvalue()


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def even_alignment(text: str, duration: float) -> dict:
    """ElevenLabs-shaped timing with every character given the same share of the clip."""
    chars = list(text)
    step = duration / len(chars) if chars else 0.0
    return {
        "characters": chars,
        "character_start_times_seconds": [round(i * step, 4) for i in range(len(chars))],
        "character_end_times_seconds": [round((i + 1) * step, 4) for i in range(len(chars))],
    }


class LocalNarrationProvider:
    """espeak-ng when installed, else silence of the estimated length; stability is unused."""

    name = NAME
    model = MODEL

    def __init__(self, timeout_s: float = 120.0) -> None:
        self.timeout_s = timeout_s

    async def narrate(self, req: NarrationRequest) -> NarrationResult:
        text = req.text.strip()
        lang = speech_language(text, req.language)
        audio = None
        exe = shutil.which("espeak-ng")
        if exe and text:
            audio = await self._espeak(exe, text, lang, req.voice)
        if audio is None:
            audio = await asyncio.to_thread(silent_wav, estimate_seconds(text, req.language))
        duration = wav_seconds(audio)
        return NarrationResult(
            audio=audio,
            mime="audio/wav",
            alignment=even_alignment(text, duration),
            usage_chars=len(text),
            model=MODEL,
            duration_s=duration,
        )

    async def _espeak(self, exe: str, text: str, lang: str, voice: str) -> bytes | None:
        variant, pitch, speed = _VOICES.get(voice, _DEFAULT_VOICE)
        with tempfile.TemporaryDirectory(prefix="storyclip-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            args = [
                exe, "-b", "1", "-v", f"{lang}+{variant}" if variant else lang,
                "-p", str(pitch), "-s", str(speed), "-w", str(out), "--stdin",
            ]  # fmt: skip
            proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                await asyncio.wait_for(proc.communicate(text.encode()), self.timeout_s)
            except (TimeoutError, asyncio.CancelledError) as exc:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                if isinstance(exc, asyncio.CancelledError):
                    raise
                log.warning("espeak-ng took longer than %.0f s; using silence", self.timeout_s)
                return None
            data = await asyncio.to_thread(out.read_bytes) if out.is_file() else b""
        if proc.returncode != 0 or len(data) <= 44:
            # A preview must not stop the pipeline: fall back to silence of the right length.
            log.warning("espeak-ng failed (exit %s); using silence", proc.returncode)
            return None
        try:
            wav_seconds(data)
        except (wave.Error, EOFError):
            log.warning("espeak-ng wrote an unreadable WAV; using silence")
            return None
        return data
