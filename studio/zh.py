"""studio: jieba (Chinese word segmentation) for every room that cuts Chinese text, the
storyboard's analysis and the library's search index. Its dictionary is loaded once per
process, on first use, with its cache under SHOTLINE_HOME (jieba's default is /tmp)."""

from __future__ import annotations

import logging
import threading
from types import ModuleType

_LOCK = threading.Lock()
_READY = False


def jieba() -> ModuleType:
    """The jieba module, initialised: the first call loads the dictionary (about a second)."""
    global _READY
    import jieba as module

    if not _READY:
        with _LOCK:
            if not _READY:
                module.setLogLevel(logging.WARNING)
                from studio.paths import home

                cache = home() / "cache"
                cache.mkdir(parents=True, exist_ok=True)
                module.dt.tmp_dir = str(cache)
                module.initialize()
                _READY = True
    return module
