"""studio: structured logs. One JSON object per line (time, level, logger, message and
any `extra=` fields such as job_id), so worker and studio logs can be grepped and shipped."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import IO, Any

_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": round(record.created, 6),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_json_logging(level: str | int | None = None, stream: IO[str] | None = None) -> None:
    """Send the `shotline` loggers to `stream` (stderr) as JSON lines; the level comes from
    SHOTLINE_LOG_LEVEL (default INFO)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    logger = logging.getLogger("shotline")
    for old in list(logger.handlers):
        if getattr(old, "_shotline_json", False):
            logger.removeHandler(old)
    handler._shotline_json = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level or os.environ.get("SHOTLINE_LOG_LEVEL", "INFO"))
    logger.propagate = False
