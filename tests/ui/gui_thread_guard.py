"""Which store queries ran on the GUI thread: the window asks the services through
ui/ops (off the GUI thread), so a query on the GUI thread is a click that waits for
the network on a shared store."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from storyclip_desktop.services import Services


def _where() -> str:
    """The innermost frames of ours outside services/ and store/: who asked."""
    ours = [f for f in traceback.extract_stack()
            if "storyclip_desktop" in f.filename or "/tests/" in f.filename]
    asking = [f for f in ours if "/services/" not in f.filename and "/store/" not in f.filename
              and "gui_thread_guard" not in f.filename]
    return " <- ".join(f"{f.filename.split('storyclip_desktop/')[-1].split('/tests/')[-1]}:{f.lineno} {f.name}"
                       for f in reversed(asking[-4:]))


@contextmanager
def store_on_gui_thread(services: Services) -> Iterator[list[str]]:
    """While it lasts, every statement the store runs on the GUI (main) thread is
    listed by who asked for it."""
    seen: list[str] = []
    gui = threading.main_thread()

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if threading.current_thread() is gui:
            where = _where()
            if where not in seen:
                seen.append(where)

    event.listen(services.db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(services.db.engine, "before_cursor_execute", listen)
