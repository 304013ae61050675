"""Validation rules with one clear message each. Lengths count characters, not bytes,
so a Korean title of ten syllables is as valid as 'abcdefghij'."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from . import catalog

TITLE_MAX = 10
DESCRIPTION_MAX = 200
SCRIPT_MAX = 2000
CUSTOM_STYLE_MAX = 200
SPLIT_RULE_MAX = 1200
LOGIN_METHOD_MAX = 10
SCENE_ID_MAX = 10  # parents_id "<19-digit id>-<scene_id>" must fit 30 characters
COMMENT_MAX = 1000


class ValidationError(ValueError):
    """Bad input; `field` names what was wrong and the message says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _text(field: str, value: object, *, maximum: int, minimum: int = 0) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    n = len(value)
    if n < minimum:
        if minimum == 1:
            raise ValidationError(field, "must not be empty")
        raise ValidationError(field, f"must be at least {minimum} characters")
    if n > maximum:
        raise ValidationError(field, f"must be at most {maximum} characters (it has {n})")
    return value


def title(value: object) -> str:
    if isinstance(value, str) and not value.strip():
        raise ValidationError("title", "must not be empty")
    return _text("title", value, minimum=1, maximum=TITLE_MAX)


def description(value: object | None) -> str | None:
    return None if value is None else _text("description", value, maximum=DESCRIPTION_MAX)


def script(value: object | None) -> str | None:
    return None if value is None else _text("script", value, maximum=SCRIPT_MAX)


def custom_style(value: object | None) -> str | None:
    return None if value is None else _text("custom_style", value, maximum=CUSTOM_STYLE_MAX)


def split_rule(value: object | None) -> str | None:
    return None if value is None else _text("split_rule", value, maximum=SPLIT_RULE_MAX)


def stability(value: object) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError("stability", "must be a number between 0 and 1") from None
    if math.isnan(x) or not 0.0 <= x <= 1.0:
        raise ValidationError("stability", f"must be between 0 and 1 (got {value})")
    return x


def _choice(field: str, value: object, options: Iterable[str]) -> str:
    options = tuple(options)
    if value not in options:
        raise ValidationError(field, f"must be one of {', '.join(options)} (got {value!r})")
    return value  # type: ignore[return-value]


def resolution(value: object) -> str:
    return _choice("resolution", value, catalog.RESOLUTIONS)


def ratio(value: object) -> str:
    return _choice("ratio", value, catalog.RATIOS)


def image_model(value: object) -> str:
    return _choice("image_gen_model", value, catalog.IMAGE_MODELS)


def video_model(value: object) -> str:
    return _choice("video_gen_model", value, catalog.VIDEO_MODELS)


def voice_model(value: object) -> str:
    return _choice("voice_gen_model", value, catalog.VOICE_MODELS)


def token_type(value: object) -> str:
    return _choice("type", value, catalog.TOKEN_TYPES)


def login_method(value: object) -> str:
    _text("login_method", value, minimum=1, maximum=LOGIN_METHOD_MAX)
    return _choice("login_method", value, catalog.LOGIN_METHODS)


# Deliberately simple: one @, a dot in the domain, no spaces. Real delivery is the
# login provider's job; this catches typos like a missing @ or a trailing space.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def email(value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value) or len(value) > 320:
        raise ValidationError("email", f"is not an email address: {value!r}")
    return value


_SCENE_ID = re.compile(r"^S\d{1,9}$")


def scene_id(value: object) -> str:
    if not isinstance(value, str) or not _SCENE_ID.match(value):
        raise ValidationError("scene_id", f"must look like S1..S999999999 (got {value!r})")
    return value


def comment(value: object | None) -> str | None:
    return None if value is None else _text("comment", value, maximum=COMMENT_MAX)


def rejection_comment(value: object | None) -> str:
    """A reject always says what needs to change: an editor cannot act on a bare "rejected"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError("comment", "required — say what needs to change before rejecting")
    return _text("comment", value.strip() if isinstance(value, str) else value, maximum=COMMENT_MAX)


def limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**31 - 1:
        raise ValidationError("limit", f"must be a whole number from 0 to 2147483647 (got {value!r})")
    return value


# The scene_json fields the inspector edits; anything else in the JSON is kept as is.
SCENE_TEXT_FIELDS = ("narration", "image_prompt", "motion_prompt", "negative_prompt")
SCENE_FIELD_MAX = 4000
DURATION_RANGE = (2, 12)  # the inspector's whole-second choices for a clip's length
# A set duration (a scene without narration, or a trim from an editing program) is frame
# exact at 30 fps, so it may have up to 3 decimals.
SCENE_SECONDS_RANGE = (0.5, 60)
SCENE_FITS = ("hold", "loop", "slow")  # what a clip shorter than its span does


def scene_json(value: object) -> dict:
    if not isinstance(value, dict):
        raise ValidationError("scene_json", "must be a JSON object")
    for key in SCENE_TEXT_FIELDS:
        if key in value and value[key] is not None:
            _text(key, value[key], maximum=SCENE_FIELD_MAX)
    if "characters" in value and value["characters"] is not None:
        scene_characters(value["characters"])
    if "duration" in value and value["duration"] is not None:
        scene_seconds(value["duration"])
    if "fit" in value and value["fit"] is not None:
        scene_fit(value["fit"])
    return value


def scene_seconds(d: object) -> int | float:
    """A scene duration in seconds: a number from 0.5 to 120, at most 3 decimals."""
    lo, hi = SCENE_SECONDS_RANGE
    if (
        isinstance(d, bool)
        or not isinstance(d, int | float)
        or not math.isfinite(d)
        or not lo <= d <= hi
        or abs(round(d, 3) - d) > 1e-9
    ):
        raise ValidationError("duration", f"must be a number of seconds from {lo} to {hi} (at most 3 decimals)")
    return d


def scene_fit(value: object) -> str:
    if value not in SCENE_FITS:
        raise ValidationError("fit", f"must be one of {', '.join(SCENE_FITS)} (got {value!r})")
    return str(value)


CHARACTER_NAME_MAX = 20
SCENE_CHARACTERS_MAX = 20  # more would not fit one image request anyway


def character_name(value: object) -> str:
    """A character's name: 1..20 characters, spaces collapsed, no commas (the CLI and the
    inspector list names with commas)."""
    if not isinstance(value, str):
        raise ValidationError("name", "must be text")
    text = " ".join(value.split())
    if not text:
        raise ValidationError("name", "must not be empty")
    if len(text) > CHARACTER_NAME_MAX:
        raise ValidationError("name", f"must be at most {CHARACTER_NAME_MAX} characters (it has {len(text)})")
    if "," in text:
        raise ValidationError("name", "must not contain a comma")
    return text


def scene_characters(value: object) -> list[str]:
    """A scene's `characters`: distinct names, in the editor's order."""
    if not isinstance(value, list):
        raise ValidationError("characters", "must be a list of names")
    out: list[str] = []
    for item in value:
        n = character_name(item)
        if n not in out:
            out.append(n)
    if len(out) > SCENE_CHARACTERS_MAX:
        raise ValidationError("characters", f"must name at most {SCENE_CHARACTERS_MAX} characters")
    return out


# One validator per editable field, shared by the services and the sync's server side so
# a change is judged by the same rules wherever it is applied.
PROJECT_FIELDS = {"title": title, "description": description, "script": script}
PREFERENCE_FIELDS = {
    "image_gen_model": image_model,
    "video_gen_model": video_model,
    "voice_gen_model": voice_model,
    "stability": stability,
    "resolution": resolution,
    "ratio": ratio,
    "custom_style": custom_style,
    "split_rule": split_rule,
}
