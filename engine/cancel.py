"""engine: the cancel token a caller hands to `generate` and sets from any thread."""

from __future__ import annotations

import threading


class CancelToken:
    """Set once, from any thread; the engine checks it at every denoising step."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)
