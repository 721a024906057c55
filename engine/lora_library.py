"""engine: the LoRA library, a folder under the data folder (`SHOTLINE_LORAS_DIR`, default
`$SHOTLINE_HOME/loras`, else ~/.shotline/loras) with one `library.json` index. Each entry
has a name, its source (a copy of a local file kept in the folder, or a hub file), a
default scale and the base model it was checked against. A request names a LoRA by its
entry name; `engine.lora` resolves it here."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.errors import InvalidRequest

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def loras_dir() -> Path:
    explicit = os.environ.get("SHOTLINE_LORAS_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("SHOTLINE_HOME")
    return (Path(home).expanduser() if home else Path.home() / ".shotline") / "loras"


def _index() -> Path:
    return loras_dir() / "library.json"


def list_entries() -> list[dict[str, Any]]:
    """Every LoRA in the library, by name."""
    path = _index()
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return sorted(data.get("loras", []), key=lambda e: e["name"])


def get_entry(name: str) -> dict[str, Any] | None:
    return next((e for e in list_entries() if e["name"] == name), None)


def _write(entries: list[dict[str, Any]]) -> None:
    folder = loras_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".library-", suffix=".json", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"loras": entries}, f, ensure_ascii=False, indent=2)
    os.replace(tmp, _index())


def add_entry(source: str, model: str, *, name: str | None = None, scale: float = 1.0,
              on_event=None) -> dict[str, Any]:
    """Check `source` against `model` and add it to the library. A local file is copied in
    (so the entry survives the original moving); a hub file is fetched into the hub cache
    and the entry keeps its `hf:` reference."""
    from engine.lora import HUB_PREFIX, LoraSpec, resolve_loras
    from engine.models import get_card

    card = get_card(model)
    if name is None:
        name = Path(source.split("/")[-1]).stem
    if not isinstance(name, str) or not NAME_RE.match(name) or name.lower().endswith(".safetensors"):
        raise InvalidRequest("name", name, "1-64 letters, digits, '-', '_' or '.', starting with a letter or digit")
    if get_entry(name) is not None:
        raise InvalidRequest("name", name, "a name not yet in the LoRA library")
    if not source.startswith(HUB_PREFIX) and not Path(source).expanduser().is_file():
        raise InvalidRequest("lora", source, "an existing .safetensors file or hf:owner/repo/file.safetensors")
    ref = resolve_loras((LoraSpec(source, scale),), card, download=True, on_event=on_event)[0]
    entry: dict[str, Any] = {"name": name, "source": source, "scale": ref.scale, "base_model": card.id,
                             "added_at": time.time()}
    if not source.startswith(HUB_PREFIX):
        folder = loras_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.safetensors"
        shutil.copyfile(ref.path, target)
        entry.update(source=str(target), original=str(ref.path))
    entry["size_bytes"] = (ref.path or Path(entry["source"])).stat().st_size
    _write([*list_entries(), entry])
    return entry
