"""A reference image from disk into the project: checked, copied into the media library
(named by a `media:` URL, as generated files are: jobs/media_out.py) and recorded by the
references service. The window and the CLI both add files through here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.validation import ValidationError
from ..media.library import MediaLibrary
from ..media.reference_files import NotAnImage, check_image, import_image
from ..services.errors import NotFound
from .media_out import media_url, thumbnail

if TYPE_CHECKING:
    from ..services import Services
    from ..services.views import AssetVersion


def add_reference_file(
    services: Services, project_id: int, file: Path, *, character: str | None = None, style: bool = False,
    library: MediaLibrary | None = None,
) -> AssetVersion:
    """Check FILE, copy it into the media library, record it as a reference (the window
    calls this too). A file that is not a usable image changes nothing."""
    try:
        check_image(file)
    except NotAnImage as e:
        raise ValidationError("file", str(e)) from None
    # The character must exist before a file is copied anywhere.
    if character is not None and services.references.get(project_id).character(character) is None:
        raise NotFound(f"project {project_id} has no character named {character}")
    library = library or MediaLibrary()
    imported = import_image(library, file)
    thumbnail(library, imported.path)
    return services.references.add(
        project_id, media_url(library, imported.path), character=character, style=style,
        metadata={**imported.metadata, "source": "file"},
    )
