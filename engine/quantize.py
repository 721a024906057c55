"""engine: memory modes that bring the 14B and A14B models onto a 24 GB card, with honest
labels, and the loading that each needs.

Exact modes place bf16 weights differently (all on the GPU, model / group / sequential
offload: engine.memory). Lossy modes store the transformer weights in fewer bits:
fp8 layerwise casting (float8 storage, each layer upcast as it runs), GGUF single-file
transformers (llama.cpp-style quantised blocks, dequantised on the fly) and torchao
weight-only int8 / fp8. Each lossy mode also uses model offload and a tiled VAE decode.
`auto` (engine.memory) picks the fastest exact mode that fits the free VRAM and host RAM
(card: `vram_gb`, `ram_gb`), else the least lossy mode that fits.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from engine.errors import InvalidRequest, WeightsUnavailable
from engine.models import ModelCard

QUANTIZED_MODES = ("fp8_layerwise", "gguf", "torchao_int8", "torchao_fp8")
CPU_MODES = ("fp8_layerwise", "gguf")  # lossy modes that also run on a CPU device (the tiny model in CI)
EXACT_MODES = ("gpu", "model_offload", "group_offload", "sequential_offload")

MEMORY_MODE_INFO: tuple[dict[str, Any], ...] = (
    {"mode": "gpu", "exact": True, "label": "All on the GPU",
     "what": "Every component stays on the GPU: fastest.", "needs": "the card's vram_gb.gpu"},
    {"mode": "model_offload", "exact": True, "label": "Model offload",
     "what": "One component on the GPU at a time (enable_model_cpu_offload).", "needs": "host RAM for the model"},
    {"mode": "group_offload", "exact": True, "label": "Group offload (streams)",
     "what": "Transformer blocks stream to the GPU one group ahead on a CUDA stream (enable_group_offload).",
     "needs": "host RAM for the whole model; a CUDA GPU"},
    {"mode": "sequential_offload", "exact": True, "label": "Sequential offload",
     "what": "Each layer moves to the GPU as it runs: least VRAM, slowest.", "needs": "host RAM for the model"},
    {"mode": "fp8_layerwise", "exact": False, "label": "fp8 weights (trades quality for memory)",
     "what": "Transformer weights stored as float8_e4m3fn and upcast layer by layer (enable_layerwise_casting); "
             "half the bf16 memory.", "needs": "any device (on a GPU with model offload)"},
    {"mode": "gguf", "exact": False, "label": "GGUF quantised transformer (trades quality for memory)",
     "what": "A GGUF single-file transformer (Q8_0 on the cards) loaded with GGUFQuantizationConfig.",
     "needs": "the gguf package and the card's GGUF file(s), downloaded into the hub cache"},
    {"mode": "torchao_int8", "exact": False, "label": "torchao int8 weights (trades quality for memory)",
     "what": "int8 weight-only quantisation of the transformer(s) through TorchAoConfig.",
     "needs": "the torchao package (pip install torchao) and a CUDA GPU"},
    {"mode": "torchao_fp8", "exact": False, "label": "torchao fp8 weights (trades quality for memory)",
     "what": "float8 weight-only quantisation of the transformer(s) through TorchAoConfig.",
     "needs": "the torchao package and a GPU with fp8 support (Ada or Hopper)"},
)

_PACKAGES = {"gguf": "gguf", "torchao_int8": "torchao", "torchao_fp8": "torchao"}
_GGUF_KEYS = {"repo_id", "file", "file_2"}


def check_gguf_card(data: object, where: str) -> str | None:
    """A card's `gguf` value checked as data: the problem as text, or None when fine."""
    if data is None:
        return None
    if not isinstance(data, dict) or sorted(set(data) - _GGUF_KEYS) \
            or not isinstance(data.get("repo_id"), (str, type(None))) or not str(data.get("file", "")).endswith(".gguf"):
        return f"{where}: key 'gguf' must be an object with repo_id (null: built locally) and file (a .gguf), " \
               "optionally file_2."
    return None


def mode_available(mode: str, card: ModelCard) -> str | None:
    """Why `mode` cannot run for `card` here (one clause), or None when it can."""
    package = _PACKAGES.get(mode)
    if package and importlib.util.find_spec(package) is None:
        return f"it needs the {package} package, which is not installed"
    if mode == "gguf" and not card.gguf:
        return f"{card.id}'s card names no GGUF file"
    return None


def check_mode(mode: str, card: ModelCard, device: str) -> None:
    """Raise InvalidRequest when a chosen memory mode cannot run (package, card, device)."""
    why = mode_available(mode, card)
    if why is None and mode in QUANTIZED_MODES and not device.startswith("cuda") and mode not in CPU_MODES:
        why = "it needs a CUDA GPU"
    if why is not None:
        raise InvalidRequest("memory_mode", mode, f"another mode: {why}")


def _transformer_names(pipe_or_folder: Any) -> tuple[str, ...]:
    if isinstance(pipe_or_folder, Path):
        index = json.loads((pipe_or_folder / "model_index.json").read_text(encoding="utf-8"))
        return tuple(n for n in ("transformer", "transformer_2") if (index.get(n) or [None])[0])
    return tuple(n for n in ("transformer", "transformer_2") if getattr(pipe_or_folder, n, None) is not None)


def gguf_files(card: ModelCard, on_event=None) -> list[Path]:
    """The card's GGUF file(s), from the hub cache or downloaded (the same cache, offline
    rules and sentences as the model weights)."""
    from engine.lora import HUB_PREFIX, resolve_source

    if not card.gguf:
        raise WeightsUnavailable(f"{card.id}'s card names no GGUF file.")
    if card.gguf.get("repo_id") is None:  # built locally (the tiny model)
        from engine.tiny_gguf import ensure_tiny_gguf
        from engine.weights import models_dir

        return [ensure_tiny_gguf(models_dir(), card.gguf["file"])]
    files = [card.gguf["file"]] + ([card.gguf["file_2"]] if card.gguf.get("file_2") else [])
    out = []
    for name in files:
        source = f"{HUB_PREFIX}{card.gguf['repo_id']}/{name}"
        out.append(resolve_source(source, download=True, on_event=on_event))
    return out


def load_pipeline(cls: type, card: ModelCard, folder: Path, mode: str, device: str, dtypes: dict, on_event=None):
    """Load pipeline class `cls` from `folder` for `mode` on `device` and place it."""
    import diffusers
    import torch

    from engine.memory import place

    if mode not in QUANTIZED_MODES:
        pipe = cls.from_pretrained(folder, dtype=dtypes)
        place(pipe, mode, device)
        return pipe
    compute = torch.bfloat16 if device.startswith("cuda") else torch.float32
    names = _transformer_names(folder)
    kwargs: dict[str, Any] = {}
    if mode == "gguf":
        from diffusers import GGUFQuantizationConfig

        config = json.loads((folder / "transformer" / "config.json").read_text(encoding="utf-8"))
        tcls = getattr(diffusers, config.get("_class_name") or "WanTransformer3DModel")
        for name, path in zip(names, gguf_files(card, on_event), strict=False):
            kwargs[name] = tcls.from_single_file(str(path), config=str(folder), subfolder=name, torch_dtype=compute,
                                                 quantization_config=GGUFQuantizationConfig(compute_dtype=compute))
    elif mode in ("torchao_int8", "torchao_fp8"):
        from diffusers import PipelineQuantizationConfig, TorchAoConfig
        from torchao.quantization import Float8WeightOnlyConfig, Int8WeightOnlyConfig

        # diffusers 0.42's TorchAoConfig takes a torchao config object (AOBaseConfig), not a name
        config_cls = Int8WeightOnlyConfig if mode == "torchao_int8" else Float8WeightOnlyConfig
        kwargs["quantization_config"] = PipelineQuantizationConfig(
            quant_mapping={n: TorchAoConfig(config_cls()) for n in names})
    pipe = cls.from_pretrained(folder, dtype=dtypes, **kwargs)
    if mode == "fp8_layerwise":
        for name in _transformer_names(pipe):
            getattr(pipe, name).enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=compute)
    if not device.startswith("cuda"):
        pipe.to("cpu")
        return pipe
    pipe.vae.enable_tiling()
    pipe.enable_model_cpu_offload(device=torch.device(device))
    return pipe


def group_offload_on(pipe, device: str, use_stream: bool) -> None:
    """Group offload of the transformer(s) to `device` (block level, one block per group);
    streams need CUDA. Exposed so that the CPU tests can run the same hooks."""
    import torch

    for name in _transformer_names(pipe):
        getattr(pipe, name).enable_group_offload(onload_device=torch.device(device), offload_device=torch.device("cpu"),
                                                 offload_type="block_level", num_blocks_per_group=1,
                                                 use_stream=use_stream)
