"""Timelines for editing software (OpenTimelineIO and its adapters): building the export,
its media folder and package, and reading an edit back."""
