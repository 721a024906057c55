"""studio.provenance: perceptual fingerprints of exports (a 64-bit dHash of one frame per
second) and the small `export_fingerprints` table that stores them, so a copy found
elsewhere can be matched to its export.

The table lives in the studio database (migration m006) and is touched only through
`store_fingerprint` / `match_fingerprint`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from studio.db import database_path

TABLE = "export_fingerprints"
MATCH_BITS = 12  # mean Hamming distance (of 64) under which two frames are the same picture


def dhash(luma: np.ndarray) -> int:
    """64-bit difference hash of a grey frame: 9x8 thumbnail, left<right comparisons."""
    small = np.asarray(Image.fromarray(luma).resize((9, 8), Image.Resampling.BILINEAR), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int("".join("1" if b else "0" for b in bits), 2)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _table():  # noqa: ANN202
    from studio.db import open_database

    return open_database()[TABLE]


def store_fingerprint(content_id: str, path: Path, hashes: list[int], duration_s: float, model: str = "") -> None:
    _table().upsert({"content_id": content_id, "path": str(path), "created": time.time(), "duration_s": duration_s,
                     "model": model, "hashes": json.dumps([format(h, "016x") for h in hashes])}, pk="content_id")


@dataclass(frozen=True)
class Match:
    content_id: str
    path: str
    distance: float  # mean Hamming distance over aligned seconds (0 = identical)


def match_fingerprint(hashes: list[int], prefer: str | None = None) -> Match | None:
    """The closest stored export, when its aligned frames are within MATCH_BITS on average;
    among equally close ones (re-exports of the same cut), the one with content id `prefer`."""
    if not hashes or not database_path().exists():  # matching never creates a database
        return None
    best: Match | None = None
    for row in _table().rows:
        stored = [int(h, 16) for h in json.loads(row["hashes"])]
        n = min(len(stored), len(hashes))
        if n == 0 or abs(len(stored) - len(hashes)) > max(2, len(stored) // 5):
            continue
        dist = sum(hamming(a, b) for a, b in zip(stored, hashes, strict=False)) / n
        preferred = prefer is not None and row["content_id"] == prefer
        if dist <= MATCH_BITS and (best is None or dist < best.distance or (preferred and dist <= best.distance)):
            best = Match(row["content_id"], row["path"], round(dist, 2))
    return best
