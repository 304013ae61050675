"""Provider calls run on an event loop of their own, in one background thread.

Providers do CPU work between awaits (decoding a multi-megabyte base64 image, fitting it
with Pillow: ~40 ms for one 9:16 frame). On the window's loop that would stall repaints;
here it only delays other provider calls. The engine's own loop keeps bookkeeping only.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .tuning import lower_thread_priority

T = TypeVar("T")


class ProviderLoop:
    def __init__(self, name: str = "storyclip-providers") -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def serve() -> None:
                    lower_thread_priority()
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=serve, name=self.name, daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    async def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Await fn(*args) on the provider loop. Cancelling the caller cancels the call."""
        loop = self._ensure()

        async def run() -> T:
            return await fn(*args, **kwargs)

        cfut = asyncio.run_coroutine_threadsafe(run(), loop)
        try:
            return await asyncio.wrap_future(cfut)
        except asyncio.CancelledError:
            cfut.cancel()
            raise

    async def aclose(self, timeout: float = 5.0) -> None:
        """Cancel what still runs there (local renders), then stop the thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.wrap_future(asyncio.run_coroutine_threadsafe(drain(), loop)), timeout)
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, timeout)
        if not thread.is_alive():
            loop.close()
