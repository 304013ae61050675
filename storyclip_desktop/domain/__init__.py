"""The rules of StoryClip, in plain Python: no Qt, no SQL."""
