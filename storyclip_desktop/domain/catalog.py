"""The values an editor may choose from, and what each costs in tokens."""

from __future__ import annotations

IMAGE_MODELS = ("Gemini", "GPT")
VIDEO_MODELS = ("Seedance", "Kling")
VOICE_MODELS = ("Bin", "Otani")
RESOLUTIONS = ("480p", "720p", "1080p")
RATIOS = ("9:16", "16:9", "1:1", "4:3", "3:4")
LOGIN_METHODS = ("password", "google", "kakao", "naver", "apple", "local")

# token.type values: the seed's gpt/gemini/seedance plus the two other paid APIs.
TOKEN_TYPES = ("gpt", "gemini", "seedance", "kling", "voice")

IMAGE_MODEL_TOKEN = {"Gemini": "gemini", "GPT": "gpt"}
VIDEO_MODEL_TOKEN = {"Seedance": "seedance", "Kling": "kling"}

# A fresh local installation starts with these limits; the user can raise them.
DEFAULT_LIMITS = {
    "gpt": 200_000,
    "gemini": 200_000,
    "seedance": 2_000_000,
    "kling": 200,
    "voice": 50_000,
}

# "reference": an image a character or the style is drawn from (domain/characters.py).
ASSET_TYPES = ("image", "clip", "narration", "reference")

# What one call is expected to cost, reserved before the call and settled after.
EXPECTED_COST = {
    ("text", "gpt"): 4_000,
    ("text", "gemini"): 4_000,
    ("image", "gpt"): 6_500,
    ("image", "gemini"): 1_300,
    ("clip", "seedance"): 110_000,
    ("clip", "kling"): 10,
}
