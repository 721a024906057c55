"""engine: where model weights come from and where they live.

`tiny` is built locally into the models cache (`SHOTLINE_MODELS_DIR`, default
`$SHOTLINE_HOME/models` or ~/.shotline/models). Real models come from the Hugging Face
hub through huggingface_hub, into its standard cache (HF_HOME / HF_HUB_CACHE), at the
card's pinned revision, honouring HF_HUB_OFFLINE. Downloads report byte-level progress
as `LoadingEvent`s. Missing weights that cannot be fetched raise `WeightsUnavailable`
with one sentence naming the repo and the command that fetches them, within seconds.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from engine.errors import WeightsUnavailable
from engine.models import ModelCard, get_card
from engine.types import EngineEvent, LoadingEvent

EventSink = Callable[[EngineEvent], None]
NETWORK_PROBE_TIMEOUT_S = 3.0


def models_dir() -> Path:
    """The cache folder for locally built models (the tiny model)."""
    explicit = os.environ.get("SHOTLINE_MODELS_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("SHOTLINE_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".shotline"
    return base / "models"


def hub_cache_dir() -> Path:
    """The standard HF hub cache, read from the environment at call time (HF_HUB_CACHE,
    else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub), so a changed env is honoured
    even after huggingface_hub was imported."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def fetch_command(model_id: str) -> str:
    return f"shotline models download {model_id}"


def _offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "").strip().lower()
    return value in ("1", "true", "yes", "on")


def _local_snapshot(card: ModelCard | Any, marker: str = "model_index.json") -> Path | None:
    """The cached snapshot folder of a real model at its pinned revision (holding `marker`), or None."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        path = Path(snapshot_download(card.repo_id, revision=card.revision, local_files_only=True,
                                     cache_dir=hub_cache_dir()))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    return path if (path / marker).is_file() else None


def weights_status(model_id: str) -> str:
    """"local" when the model can be loaded without a download, else "missing"."""
    card = get_card(model_id)
    if card.is_local_only:
        from engine.tiny_arch import local_dir

        return "local" if (local_dir(models_dir(), card.local_recipe) / "model_index.json").is_file() else "missing"
    return "local" if _local_snapshot(card) is not None else "missing"


def _network_reachable() -> bool:
    """A quick TCP probe of the hub endpoint, so a machine without network fails in
    seconds rather than after huggingface_hub's retries and timeouts."""
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    url = urlparse(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "huggingface.co", port), timeout=NETWORK_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _unavailable(card: ModelCard, why: str) -> WeightsUnavailable:
    where = "with network access and HF_HUB_OFFLINE unset" if "OFFLINE" in why else "with network access"
    return WeightsUnavailable(
        f"The weights of {card.id} ({card.repo_id}) are not in the local cache and {why}; "
        f"fetch them with `{fetch_command(card.id)}` on a machine {where}."
    )


def make_progress_class(model_id: str, on_event: EventSink | None, min_interval_s: float = 0.25) -> type:
    """A tqdm class for `snapshot_download(tqdm_class=...)` that turns its byte bars into
    `LoadingEvent`s (downloaded_bytes / total_bytes), at most every `min_interval_s`
    plus a final one when a bar closes. Bars not counted in bytes are ignored."""
    from huggingface_hub.utils import tqdm as hf_tqdm

    lock = threading.Lock()
    last = [0.0]

    class _Progress(hf_tqdm):
        latest: _Progress | None = None  # the last byte bar that moved, for `finish`

        @classmethod
        def finish(cls) -> None:
            """A final event with the full count (snapshot_download does not close its
            byte bars, and the last updates may have fallen inside the throttle)."""
            if cls.latest is not None:
                cls.latest._emit(force=True)

        def __init__(self, *args, **kwargs):
            kwargs["disable"] = True  # no terminal output; events carry the progress
            super().__init__(*args, **kwargs)
            # snapshot_download's byte bars: "huggingface_hub.snapshot_download" counts bytes
            # written (its total is the sum of file sizes); the transfer bar's total is a guess
            self._bytes_bar = kwargs.get("unit") == "B" and kwargs.get("name") in (None, "huggingface_hub.snapshot_download")

        def _emit(self, force: bool = False) -> None:
            if not (self._bytes_bar and on_event):
                return
            now = time.monotonic()
            with lock:
                if not force and now - last[0] < min_interval_s:
                    return
                last[0] = now
            total = int(self.total or 0)
            done = int(self.n)
            on_event(LoadingEvent(model=model_id, message=f"downloading {model_id}: {_mb(done)} of {_mb(total)}",
                                  downloaded_bytes=done, total_bytes=total))

        def update(self, n=1):
            # tqdm(disable=True) does not count; count here so events carry the bytes.
            self.n += n or 0
            if self._bytes_bar:
                type(self).latest = self
            self._emit()

        def close(self):
            if getattr(self, "_bytes_bar", False) and self.n:
                self._emit(force=True)
            super().close()

    return _Progress


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def download(model_id: str, on_event: EventSink | None = None) -> Path:
    """Fetch a real model's pinned revision into the HF cache (resumes partial downloads)."""
    card = get_card(model_id)
    if card.is_local_only:
        return resolve_weights(model_id, on_event)
    if _offline():
        raise _unavailable(card, "HF_HUB_OFFLINE is set")
    if not _network_reachable():
        raise _unavailable(card, "the hub cannot be reached (no network)")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    if on_event:
        on_event(LoadingEvent(model=model_id, message=f"downloading {card.repo_id}@{card.revision}"))
    progress = make_progress_class(model_id, on_event)
    try:
        path = snapshot_download(card.repo_id, revision=card.revision, cache_dir=hub_cache_dir(),
                                 endpoint=os.environ.get("HF_ENDPOINT") or None, tqdm_class=progress)
    except LocalEntryNotFoundError:
        raise _unavailable(card, "the hub cannot be reached") from None
    except HfHubHTTPError as err:
        raise WeightsUnavailable(f"Downloading {card.repo_id} failed ({err.__class__.__name__}); try `{fetch_command(card.id)}` again.") from None
    progress.finish()
    return Path(path)


def resolve_weights(model_id: str, on_event: EventSink | None = None) -> Path:
    """A local diffusers-format folder for `model_id`: built (tiny), cached, or downloaded."""
    card = get_card(model_id)
    if card.is_local_only:
        from engine.tiny_arch import ensure_local, local_dir

        folder = local_dir(models_dir(), card.local_recipe)
        if not (folder / "model_index.json").is_file() and on_event:
            on_event(LoadingEvent(model=model_id, message=f"building the {model_id} model (once)"))
        return ensure_local(models_dir(), card.local_recipe)
    local = _local_snapshot(card)
    if local is not None:
        return local
    return download(model_id, on_event)


def load_tokenizer(model_id: str):  # -> transformers.PreTrainedTokenizerBase | None
    """The model's tokenizer when its weights are local (tiny: built if needed), else None."""
    card = get_card(model_id)
    if card.is_local_only:
        folder = resolve_weights(model_id)
    else:
        folder = _local_snapshot(card)
        if folder is None:
            return None
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder / "tokenizer")
