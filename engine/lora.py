"""engine: LoRAs. Where a LoRA file comes from (a local path, a hub file through the
weights cache, or a name in the LoRA library), whether it fits a model, and
`AdapterSet`, which loads adapters into a warm pipeline once and switches between them.

The fit check reads the file's tensor names and shapes (diffusers' own
`WanPipeline.lora_state_dict`, which also converts the community key formats) and
compares them with the model's transformer built on the meta device from its
config.json: no model weights load, so a wrong architecture, size or rank fails at
submit with one sentence naming the file and the model.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.errors import EngineError, InvalidRequest, WeightsUnavailable
from engine.models import ModelCard
from engine.types import LoraSpec

HUB_PREFIX = "hf:"
MAX_LORAS = 8  # per request
MAX_SCALE = 4.0  # |scale|; community LoRAs are used at 0.2-1.5
MAX_LOADED = 12  # adapters kept in a warm pipeline before the least recently used is deleted
ACCEPTED = "a .safetensors file, hf:owner/repo/file.safetensors, or the name of a LoRA in the library"
_LORA_SUFFIXES = (".lora_A.weight", ".lora_B.weight", ".lora_B.bias")


class LoraMismatch(InvalidRequest):
    """A LoRA file that cannot be used with the model; the message names both."""

    def __init__(self, file: str, model: str, reason: str):
        self.field, self.value, self.accepted = "lora", file, reason
        EngineError.__init__(self, f"The LoRA {file} does not fit {model}: {reason}.")


@dataclass(frozen=True)
class LoraRef:
    """A checked LoRA of a request. `path` is None while a hub file is not downloaded yet
    (the worker downloads and checks it before loading)."""

    source: str
    scale: float
    role: str = "user"  # "user" | "draft" (the tier's distilled LoRA)
    path: Path | None = None
    source_2: str | None = None
    path_2: Path | None = None

    @property
    def label(self) -> str:
        return self.source if self.source_2 is None else f"{self.source} + {self.source_2}"

    def to_metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "scale": self.scale, "role": self.role}
        if self.source_2:
            data["source_2"] = self.source_2
        return data


# ---- parsing ----------------------------------------------------------------------------
def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_lora_arg(text: str) -> LoraSpec:
    """`PATH[:SCALE]` (the CLI's --lora): `style.safetensors:0.8`, `hf:owner/repo/f.safetensors`,
    or a library name. A trailing `:number` is the scale."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest("lora", text, "PATH[:SCALE], such as style.safetensors:0.8")
    text = text.strip()
    head, sep, tail = text.rpartition(":")
    scale = _float(tail) if sep and head else None
    return LoraSpec(source=head, scale=scale) if scale is not None else LoraSpec(source=text)


def _is_library_name(source: str) -> bool:
    return not source.startswith(HUB_PREFIX) and "/" not in source and "\\" not in source \
        and not source.lower().endswith(".safetensors")


def _hub_parts(source: str) -> tuple[str, str]:
    parts = source[len(HUB_PREFIX):].strip("/").split("/")
    if len(parts) < 3 or not all(parts) or not parts[-1].endswith(".safetensors"):
        raise InvalidRequest("lora", source, "hf:owner/repo/path/file.safetensors for a LoRA on the Hugging Face hub")
    return "/".join(parts[:2]), "/".join(parts[2:])


# ---- finding the file -------------------------------------------------------------------
def resolve_source(source: str, *, download: bool, on_event=None) -> Path | None:
    """The local file of a LoRA source. A hub file that is not cached is downloaded when
    `download` is set (else None: the worker fetches it); offline it is one sentence."""
    if not isinstance(source, str) or not source.strip():
        raise InvalidRequest("lora", source, ACCEPTED)
    if source.startswith(HUB_PREFIX):
        return _hub_file(source, download, on_event)
    if _is_library_name(source):
        from engine.lora_library import get_entry

        entry = get_entry(source)
        if entry is None:
            raise InvalidRequest("lora", source, ACCEPTED)
        return resolve_source(entry["source"], download=download, on_event=on_event)
    path = Path(source).expanduser()
    if not path.is_file():
        raise InvalidRequest("lora", source, "an existing .safetensors file (no file is at that path)")
    return path.resolve()


def _hub_file(source: str, download: bool, on_event) -> Path | None:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    from engine.types import LoadingEvent
    from engine.weights import _network_reachable, _offline, hub_cache_dir

    repo_id, filename = _hub_parts(source)
    try:
        return Path(hf_hub_download(repo_id, filename, cache_dir=hub_cache_dir(), local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        pass
    if not download:
        return None
    if _offline():
        raise WeightsUnavailable(f"The LoRA {source} is not in the local cache and HF_HUB_OFFLINE is set; "
                                 "fetch it on a machine with network access and HF_HUB_OFFLINE unset.")
    if not _network_reachable():
        raise WeightsUnavailable(f"The LoRA {source} is not in the local cache and the hub cannot be reached (no network).")
    if on_event:
        on_event(LoadingEvent(model=repo_id, message=f"downloading LoRA {source}"))
    try:
        return Path(hf_hub_download(repo_id, filename, cache_dir=hub_cache_dir(),
                                    endpoint=os.environ.get("HF_ENDPOINT") or None))
    except (HfHubHTTPError, LocalEntryNotFoundError) as err:
        raise WeightsUnavailable(f"Downloading the LoRA {source} failed ({type(err).__name__}).") from None


# ---- the fit check ----------------------------------------------------------------------
def _model_folder(card: ModelCard) -> Path | None:
    """The model's local folder when its weights are here (the tiny model is built)."""
    from engine.weights import _local_snapshot, resolve_weights

    if card.is_local_only:
        return resolve_weights(card.id)
    return _local_snapshot(card)


@lru_cache(maxsize=8)
def _linear_shapes(config_path: str) -> dict[str, tuple[int, int]]:
    """{module name: (in_features, out_features)} of every Linear layer of the transformer
    described by `config_path`, built on the meta device (no memory, no weights)."""
    import diffusers
    import torch
    from accelerate import init_empty_weights

    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    cls = getattr(diffusers, config.get("_class_name") or "WanTransformer3DModel")
    with init_empty_weights(include_buffers=True):  # buffers too: the RoPE tables would be computed on the CPU
        model = cls.from_config(config)
    return {name: (m.in_features, m.out_features) for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


def read_lora_shapes(path: Path, display: str, model: str) -> dict[str, tuple[int, ...]]:
    """{diffusers key: shape} of a LoRA file, community formats converted by diffusers."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            raw_keys = list(f.keys())
    except Exception:  # noqa: BLE001 - any failure to read the header means "not safetensors"
        raise LoraMismatch(display, model, "it is not a readable .safetensors file") from None
    if not raw_keys:
        raise LoraMismatch(display, model, "the file holds no tensors")
    stat = path.stat()
    shapes = _cached_state_shapes(str(path), stat.st_mtime_ns, stat.st_size)
    if isinstance(shapes, str):
        raise LoraMismatch(display, model, f"its keys (such as '{raw_keys[0]}') are in no LoRA format diffusers reads")
    return shapes


@lru_cache(maxsize=16)
def _cached_state_shapes(path: str, mtime_ns: int, size: int) -> dict[str, tuple[int, ...]] | str:
    """The converted key -> shape map of a LoRA file (cached per file version), or the
    reason diffusers could not read it."""
    from diffusers import WanPipeline
    from diffusers.utils import logging as dlogging

    level = dlogging.get_verbosity()
    dlogging.set_verbosity_error()  # diffusers warns about DoRA scales and the like; the check reports instead
    try:
        state = WanPipeline.lora_state_dict(str(Path(path).parent), weight_name=Path(path).name)
    except Exception as err:  # noqa: BLE001 - diffusers' converters raise KeyError/ValueError/...
        return f"{type(err).__name__}: {err}"
    finally:
        dlogging.set_verbosity(level)
    return {key: tuple(value.shape) for key, value in state.items()}


def check_fit(path: Path, display: str, card: ModelCard, folder: Path | None) -> int:
    """Raise LoraMismatch unless every LoRA layer matches a Linear layer of the model's
    transformer in name, input/output size and rank; returns the LoRA's rank. Without
    the model's config (`folder` None) only the file and its key format are checked."""
    shapes = read_lora_shapes(path, display, card.id)
    layers: dict[str, dict[str, tuple[int, ...]]] = {}
    for key, shape in shapes.items():
        name = key[len("transformer."):] if key.startswith("transformer.") else key
        suffix = next((s for s in _LORA_SUFFIXES if name.endswith(s)), None)
        if suffix is None:
            raise LoraMismatch(display, card.id, f"'{key}' is not a LoRA weight (lora_A / lora_B of a layer)")
        layers.setdefault(name[: -len(suffix)], {})[suffix] = shape
    ranks = set()
    for module, parts in layers.items():
        a, b = parts.get(".lora_A.weight"), parts.get(".lora_B.weight")
        if a is None or b is None or len(a) != 2 or len(b) != 2 or a[0] != b[1]:
            raise LoraMismatch(display, card.id, f"layer '{module}' has no matching lora_A / lora_B pair of one rank")
        ranks.add(a[0])
    if folder is None:
        return max(ranks)
    config = folder / "transformer" / "config.json"
    if not config.is_file():
        return max(ranks)
    model_shapes = _linear_shapes(str(config))
    for module, parts in sorted(layers.items()):
        if module not in model_shapes:
            raise LoraMismatch(display, card.id, f"its layer '{module}' is not in the model's transformer "
                                                 "(a LoRA for another architecture?)")
        in_f, out_f = model_shapes[module]
        a, b = parts[".lora_A.weight"], parts[".lora_B.weight"]
        if a[1] != in_f or b[0] != out_f:
            raise LoraMismatch(display, card.id, f"its layer '{module}' maps {a[1]} to {b[0]} features but the model's "
                                                 f"maps {in_f} to {out_f} (a LoRA for another model size?)")
    return max(ranks)


# ---- a request's LoRAs --------------------------------------------------------------------
def _check_scale(spec: LoraSpec, default: float) -> float:
    scale = default if spec.scale is None else spec.scale
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) \
            or abs(scale) > MAX_SCALE:
        raise InvalidRequest("lora scale", scale, f"a number from -{MAX_SCALE:g} to {MAX_SCALE:g} for {spec.source}")
    return float(scale)


def resolve_loras(specs: tuple[LoraSpec, ...], card: ModelCard, *, download: bool, extra: tuple[LoraRef, ...] = (),
                  on_event=None) -> tuple[LoraRef, ...]:
    """Check a request's LoRAs (plus the tier's `extra`) against the card's model; files
    that are here are checked now, hub files not downloaded yet when the worker loads."""
    if not isinstance(specs, tuple) or not all(isinstance(s, LoraSpec) for s in specs):
        raise InvalidRequest("loras", specs, "a list of LoRAs, each a source and a scale")
    if len(specs) > MAX_LORAS:
        raise InvalidRequest("loras", f"{len(specs)} LoRAs", f"at most {MAX_LORAS} per clip")
    folder = None
    refs: list[LoraRef] = []
    for spec in specs:
        default = 1.0
        if isinstance(spec.source, str) and _is_library_name(spec.source):
            from engine.lora_library import get_entry

            entry = get_entry(spec.source)
            default = float(entry["scale"]) if entry else 1.0
        if spec.source_2 is not None and not card.two_experts:
            raise InvalidRequest("lora source_2", spec.source_2, f"unset: {card.id} has one transformer")
        refs.append(LoraRef(source=spec.source, scale=_check_scale(spec, default), source_2=spec.source_2))
    out = []
    for ref in (*extra, *refs):
        path = resolve_source(ref.source, download=download, on_event=on_event)
        path_2 = resolve_source(ref.source_2, download=download, on_event=on_event) if ref.source_2 else None
        for p, shown in ((path, ref.source), (path_2, ref.source_2)):
            if p is not None:
                if folder is None:
                    folder = _model_folder(card) or False
                check_fit(p, shown, card, folder or None)
        out.append(LoraRef(source=ref.source, scale=ref.scale, role=ref.role, path=path, source_2=ref.source_2,
                           path_2=path_2))
    seen = [(r.path, r.path_2) for r in out if r.path is not None]
    if len(seen) != len(set(seen)):
        raise InvalidRequest("loras", [r.source for r in out], "each LoRA file once (give one scale per file)")
    return tuple(out)


def lora_metadata(tier: str, refs: tuple[LoraRef, ...]) -> dict[str, Any]:
    """What a clip's metadata says about its tier and LoRAs."""
    return {"tier": tier, "loras": [ref.to_metadata() for ref in refs]}


def materialise(refs: tuple[LoraRef, ...], card: ModelCard, on_event=None) -> tuple[LoraRef, ...]:
    """On the worker: download and check the hub files the submit side could not."""
    if all(r.path is not None and (r.source_2 is None or r.path_2 is not None) for r in refs):
        return refs
    user = tuple(LoraSpec(r.source, r.scale, r.source_2) for r in refs if r.role == "user")
    extra = tuple(r for r in refs if r.role != "user")
    return resolve_loras(user, card, download=True, extra=extra, on_event=on_event)


# ---- adapters in a warm pipeline -----------------------------------------------------------
class AdapterSet:
    """The adapters loaded into one pipeline. A file is loaded once (into both experts of a
    two-expert model: `source_2`, else the same file, with `load_into_transformer_2`);
    each call then only switches with `set_adapters`, or disables LoRA when none is asked."""

    def __init__(self, pipe: Any, two_experts: bool):
        self.pipe, self.two_experts = pipe, two_experts
        self.loaded: OrderedDict[tuple, str] = OrderedDict()
        self.active: tuple | None = None
        self.count = 0
        self.loads = 0  # files loaded so far (tests and stats)

    def apply(self, refs: tuple[LoraRef, ...]) -> None:
        if not refs:
            if self.loaded and self.active != ():
                self.pipe.disable_lora()
            self.active = ()
            return
        names = [self._adapter(ref, {self._key(r) for r in refs}) for ref in refs]
        wanted = (tuple(names), tuple(r.scale for r in refs))
        if wanted != self.active:
            self.pipe.enable_lora()
            self.pipe.set_adapters(list(names), [r.scale for r in refs])
            self.active = wanted

    @staticmethod
    def _key(ref: LoraRef) -> tuple:
        def stamp(p: Path | None) -> tuple:
            if p is None:
                return ()
            st = p.stat()
            return (str(p), st.st_mtime_ns, st.st_size)

        return stamp(ref.path) + stamp(ref.path_2)

    def _adapter(self, ref: LoraRef, keep: set[tuple]) -> str:
        key = self._key(ref)
        if key in self.loaded:
            self.loaded.move_to_end(key)
            return self.loaded[key]
        while len(self.loaded) >= MAX_LOADED:
            old = next((k for k in self.loaded if k not in keep), None)
            if old is None:
                break
            self.pipe.delete_adapters(self.loaded.pop(old))
            self.active = None
        self.count += 1
        name = f"lora{self.count}"
        path = ref.path
        with warnings.catch_warnings():  # peft warns on every adapter after the first: several are the point
            warnings.filterwarnings("ignore", message="Already found a `peft_config` attribute")
            self.pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name)
            if self.two_experts:
                second = ref.path_2 or path
                self.pipe.load_lora_weights(str(second.parent), weight_name=second.name, adapter_name=name,
                                            load_into_transformer_2=True)
        self._exact_lora_weights(name, ref)
        self.loaded[key] = name
        self.loads += 1
        self.active = None
        return name

    def _exact_lora_weights(self, name: str, ref: LoraRef) -> None:
        """Under fp8 layerwise casting peft creates the LoRA layers in the base layers'
        storage dtype (float8), which flushes typical LoRA values (~1e-3) to zero and
        cannot be multiplied on every device. The LoRA's own tensors are small: keep
        them exactly, in the compute dtype, as an unquantised model would."""
        import torch

        for component, path in (("transformer", ref.path), ("transformer_2", ref.path_2 or ref.path)):
            model = getattr(self.pipe, component, None)
            if model is None:
                continue
            params = {k: v for k, v in model.named_parameters() if f".{name}." in k}
            if not any(p.dtype in (torch.float8_e4m3fn, torch.float8_e5m2) for p in params.values()):
                continue
            compute = model.proj_out.weight.dtype  # layerwise casting leaves proj_out unquantised
            from diffusers import WanPipeline

            state = WanPipeline.lora_state_dict(str(path.parent), weight_name=path.name)
            for param in params.values():
                param.data = torch.zeros_like(param.data, dtype=compute)  # e.g. i2v expansion entries: zero
            for key, tensor in state.items():
                module, _, leaf = key.removeprefix("transformer.").rpartition(".")
                param = params.get(f"{module}.{name}.{leaf}")
                if param is not None:
                    param.data = tensor.to(device=param.device, dtype=compute)
