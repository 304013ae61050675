"""The seed schema (../shared/seed-schema.md), written out as data for the schema tests.

(type, length, nullable, default); default None = no default. Types are the seed's words.
"""

TS = ("timestamptz", None, False, "now()")
STAMPS = {"created_at": TS, "updated_at": TS}

SEED = {
    "users": {
        "id": ("bigint", None, False, None),
        "login_method": ("varchar", 10, False, None),
        "email": ("text", None, False, None),
        **STAMPS,
    },
    "video_preference": {
        "id": ("bigint", None, False, None),
        "project_id": ("bigint", None, False, None),
        "image_gen_model": ("varchar", 50, False, "'Gemini'"),
        "video_gen_model": ("varchar", 50, False, "'Seedance'"),
        "voice_gen_model": ("varchar", 50, False, "'Bin'"),
        "stability": ("double", None, False, "0.5"),
        "resolution": ("varchar", 10, False, "'480p'"),
        "ratio": ("varchar", 10, False, "'9:16'"),
        "custom_style": ("varchar", 200, True, None),
        "split_rule": ("varchar", 1200, True, None),
        **STAMPS,
    },
    "token": {
        "id": ("bigint", None, False, None),
        "user_id": ("bigint", None, False, None),
        "type": ("varchar", 10, False, None),
        "usage": ("int4", None, False, "0"),
        "limit": ("int4", None, False, None),
        **STAMPS,
    },
    "project": {
        "id": ("bigint", None, False, None),
        "user_id": ("bigint", None, False, None),
        "title": ("varchar", 10, False, None),
        "description": ("varchar", 200, True, None),
        "script": ("varchar", 2000, True, None),
        "narration_version": ("int4", None, True, None),
        **STAMPS,
    },
    "scene": {
        "id": ("bigint", None, False, None),
        "project_id": ("bigint", None, False, None),
        "user_id": ("bigint", None, False, None),
        # The seed writes varchar(15), which cannot hold its own 'prompt_confirmed' (16
        # characters); the store widens it by one. See docs/schema.md.
        "status": ("varchar", 16, False, "'init'"),
        "scene_id": ("varchar", 20, False, None),
        "scene_json": ("json", None, False, "'{}'"),
        "image_version": ("int4", None, True, None),
        "clip_version": ("int4", None, True, None),
        "order": ("int4", None, False, None),
        "no_subject": ("boolean", None, False, "false"),
        **STAMPS,
    },
    "asset": {
        "id": ("bigint", None, False, None),
        "parents_id": ("varchar", 30, False, None),
        "version": ("int4", None, False, "1"),
        "user_id": ("bigint", None, False, None),
        "type": ("varchar", 10, False, None),
        "storage_url": ("varchar", 300, False, None),
        "metadata": ("json", None, False, "'{}'"),
        **STAMPS,
    },
}

# (table, columns, unique)
SEED_INDEXES = [
    ("video_preference", ["project_id"], False),
    ("token", ["user_id", "type"], True),
    ("project", ["user_id"], False),
    ("scene", ["project_id"], False),
    ("scene", ["scene_id"], False),
    ("asset", ["parents_id", "type", "version"], True),
]

SEED_FOREIGN_KEYS = [
    ("video_preference", "project_id", "project"),
    ("token", "user_id", "users"),
    ("project", "user_id", "users"),
    ("scene", "project_id", "project"),
]
