"""A font with Hangul glyphs for every render, or a clear refusal: never empty boxes.

Looked for, in order: a font shipped in `resources/fonts/`, fontconfig's answer for
Korean (`fc-list :lang=ko`), then the Noto CJK paths of Debian's `fonts-noto-cjk`.
libass gets the font's folder as `fontsdir` and its family name in the ASS style."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import RenderUnavailable

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "fonts"
KNOWN = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK KR"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK KR"),
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "NanumGothic"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK KR"),
)
# Prefer a sans face for subtitles when fontconfig offers several.
_PREFERRED = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Nanum Gothic")


@dataclass(frozen=True)
class HangulFont:
    path: Path      # the font file
    family: str     # the name libass matches in the ASS style

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def files(self) -> tuple[Path, ...]:
        """The font and, when it has one beside it, its bold face (libass then needs no fake bold)."""
        bold = self.path.with_name(self.path.name.replace("-Regular", "-Bold"))
        return (self.path, bold) if bold != self.path and bold.is_file() else (self.path,)


def private_folder(font: HangulFont, root: Path) -> Path:
    """A folder holding only this font (links), for libass's `fontsdir`: handed the system
    folder it would load every CJK face there (90 MB, +0.4 s and +160 MB per ffmpeg)."""
    import hashlib
    import os

    tag = hashlib.sha256(str(font.path).encode()).hexdigest()[:12]
    folder = Path(root) / f"fonts-{tag}"
    folder.mkdir(parents=True, exist_ok=True)
    for f in font.files:
        link = folder / f.name
        if not link.exists():
            try:
                os.symlink(f, link)
            except FileExistsError:
                pass
            except OSError:  # no symlinks here (some Windows setups): the font itself
                import shutil

                shutil.copyfile(f, link)
    return folder


@functools.cache
def hangul_font() -> HangulFont:
    found = _shipped() or _fontconfig() or _known()
    if found is None:
        raise RenderUnavailable(
            "no font with Korean (Hangul) glyphs was found; install fonts-noto-cjk "
            "or put an OFL Korean font in resources/fonts/"
        )
    return found


def _shipped() -> HangulFont | None:
    if not RESOURCES.is_dir():
        return None
    for p in sorted(RESOURCES.iterdir()):
        if p.suffix.lower() in (".ttf", ".otf", ".ttc"):
            fam = _family_of(p)
            if fam:
                return HangulFont(p, fam)
    return None


def _fontconfig() -> HangulFont | None:
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, ":lang=ko", "file", "family"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    fonts: list[HangulFont] = []
    for line in out.splitlines():
        file, _, families = line.partition(":")
        names = [f.strip() for f in families.split(",") if f.strip()]
        if file and names and Path(file.strip()).is_file():
            fonts += [HangulFont(Path(file.strip()), n) for n in names]
    for want in _PREFERRED:
        for f in fonts:
            if f.family == want:
                return f
    return fonts[0] if fonts else None


def _known() -> HangulFont | None:
    for path, family in KNOWN:
        if Path(path).is_file():
            return HangulFont(Path(path), family)
    return None


def _family_of(path: Path) -> str | None:
    try:
        from PIL import ImageFont

        return ImageFont.truetype(str(path), 20).getname()[0]
    except (OSError, ValueError):
        return None
