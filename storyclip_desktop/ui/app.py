"""Start the window: the Qt application on a qasync event loop, the services, the job
engine whose generation jobs run as coroutines on that loop, and the sample project on
a first run."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from ..services.app import Services
from .garbage import GuiThreadCollector

if TYPE_CHECKING:
    from .generation import GenerationController

APP_NAME = "StoryClip"


def make_app(argv: list[str] | None = None) -> QApplication:
    from . import theme

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(theme.icon("app"))
    theme.apply(app)
    return app


def first_run_project(services: Services, settings: QSettings) -> int | None:
    """The sample project, once: on the first start against an empty local store (a
    user who later deletes every project is not handed the sample again)."""
    from ..services.demo import create_demo

    if settings.value("demo_offered") is not None or services.store_kind != "local":
        return None
    settings.setValue("demo_offered", "true")
    settings.sync()
    if services.projects.list():
        return None
    return create_demo(services)


def run() -> int:
    import qasync

    from ..jobs import JobEngine
    from .generation import install_generation
    from .main_window import MainWindow, ui_settings

    app = make_app()
    collector = GuiThreadCollector(app)  # Qt objects in garbage cycles die on this thread
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        services = Services.open()
    except Exception as e:  # noqa: BLE001 - any failure to open the store ends here
        QMessageBox.critical(None, APP_NAME, f"The store could not be opened:\n{e}")
        return 1
    try:
        demo = first_run_project(services, ui_settings())
        window = MainWindow(services)
        # One engine for the window's life; its jobs run on this (qasync) loop.
        generation = install_generation(window, JobEngine(services))
        from .sync_controller import install_sync

        sync = install_sync(window)  # background sync with the team server, if one is set
        if demo is not None:
            window.open_project(demo)
        window.show()
        closing = asyncio.Event()
        app.aboutToQuit.connect(closing.set)
        with loop:
            # Started on the loop: the window paints first, resuming jobs follows.
            starting = loop.create_task(generation.start(), name="job engine start")
            loop.run_until_complete(closing.wait())
            # Qt has left its event loop; run it once more until the engine has let go
            # of its jobs (they resume at the next start) and its threads.
            loop.run_until_complete(_shutdown(starting, generation))
            sync.close()
        return 0
    finally:
        services.close()
        collector.close()


async def _shutdown(starting: asyncio.Task, generation: GenerationController) -> None:
    if not starting.done():
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
    await generation.aclose()
