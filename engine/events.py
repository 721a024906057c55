"""engine: event delivery. During a generation, events reach the caller's `on_event`
in order on one background thread (the "event pump"), so a slow consumer or a preview
file write never holds up the denoising loop. A preview file is written on that thread
just before its StepEvent is delivered, so the path in an event always exists. The
engine drains the pump before `generate` returns or raises."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from engine.types import EngineEvent

EventSink = Callable[[EngineEvent], None]


class EventPump:
    def __init__(self, on_event: EventSink | None):
        self._on_event = on_event
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None  # the first exception on_event raised
        self.write_s = 0.0  # time spent writing preview files (off the denoising loop)
        self._thread = threading.Thread(target=self._run, name="shotline-events", daemon=True)
        self._thread.start()

    def emit(self, event: EngineEvent, before: Callable[[], Any] | None = None) -> None:
        """Queue `event`; `before` (e.g. saving its preview file) runs first on the pump."""
        self._queue.put((before, event))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            before, event = item
            try:
                if before is not None:
                    t = time.perf_counter()
                    before()
                    self.write_s += time.perf_counter() - t
                if self._on_event is not None and self.error is None:
                    self._on_event(event)
            except BaseException as err:  # noqa: BLE001 - handed back to the engine's thread
                if self.error is None:
                    self.error = err

    def close(self) -> None:
        """Deliver everything queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()
