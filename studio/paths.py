"""studio: where Shotline keeps everything. One folder, `SHOTLINE_HOME` (default
`~/.shotline`); media live in sub-folders named by UUID, never by a user's text."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

MEDIA_KINDS = ("clips", "previews", "assets", "exports", "uploads", "tmp")


def home() -> Path:
    """The data folder, created on first use, private to its owner (0700)."""
    root = Path(os.environ.get("SHOTLINE_HOME") or Path.home() / ".shotline").expanduser().resolve()
    if not root.is_dir():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        _private(root)
    return root


def _private(folder: Path) -> None:
    try:
        if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
            os.chmod(folder, 0o700)
    except OSError:
        pass


def private_files() -> None:
    """From now on this process creates files 0600 and folders 0700 and keeps library caches
    in the data folder (the studio, the CLI and the workers call this first; the data
    folder itself is made private here too)."""
    os.umask(0o077)
    _private(home())
    # libraries' own scratch caches (torch's compiler writes /tmp/torchinductor_<user> on
    # import) go inside the data folder too, unless the user pointed them elsewhere
    for var, sub in (("TORCHINDUCTOR_CACHE_DIR", "torchinductor"), ("TRITON_CACHE_DIR", "triton")):
        os.environ.setdefault(var, str(home() / "cache" / sub))


def media_dir(kind: str) -> Path:
    """A media folder under the data folder (`clips`, `previews`, `assets`, `exports`, `uploads`, `tmp`)."""
    if kind not in MEDIA_KINDS:
        raise ValueError(f"media kind {kind!r} is not known; accepted: {', '.join(MEDIA_KINDS)}.")
    path = home() / "media" / kind
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_media_path(kind: str, suffix: str) -> Path:
    """A fresh path `media/<kind>/<uuid>/<uuid><suffix>`; the suffix must be a plain extension."""
    if not suffix.startswith(".") or not suffix[1:].isalnum() or len(suffix) > 8:
        raise ValueError(f"suffix {suffix!r} is not accepted: a dot and up to 7 letters or digits, like '.mp4'.")
    ident = uuid.uuid4().hex
    folder = media_dir(kind) / ident
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"{ident}{suffix}"


def is_inside_home(path: str | os.PathLike[str]) -> bool:
    """True when `path` resolves to a place inside the data folder."""
    try:
        Path(path).resolve().relative_to(home())
    except ValueError:
        return False
    return True
