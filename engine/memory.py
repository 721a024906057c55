"""engine: devices, dtypes and memory modes.

`auto` picks by free VRAM, from the model card's `vram_gb`, among all-on-GPU, model CPU
offload and group offload (sequential offload is offered explicitly: it is the slowest).
Every mode but all-on-GPU also tiles the VAE decode. Components load in the dtypes the
card recommends (e.g. bf16 transformer and text encoder, fp32 VAE). On a CPU device the
whole pipeline simply lives on the CPU; the resolved mode is reported as "cpu".
"""

from __future__ import annotations

from engine.models import ModelCard

AUTO_ORDER = ("gpu", "model_offload", "group_offload")
HEADROOM = 0.9  # use at most 90% of the free VRAM
LOWER_MODE = {"gpu": "model_offload", "model_offload": "group_offload", "group_offload": "sequential_offload"}


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def free_vram_gb(device: str) -> float:
    import torch

    free, _total = torch.cuda.mem_get_info(torch.device(device))
    return free / 1024**3


def resolve_memory_mode(card: ModelCard, mode: str, device: str) -> str:
    """The concrete mode for `mode` on `device` ("cpu" on a CPU device)."""
    if not device.startswith("cuda"):
        return "cpu"
    if mode != "auto":
        return mode
    return pick_memory_mode(card, free_vram_gb(device))


def pick_memory_mode(card: ModelCard, free_gb: float) -> str:
    """`auto`: the fastest mode whose VRAM need (card) fits in 90% of `free_gb`; group
    offload when none does (it needs the least of the three)."""
    usable = free_gb * HEADROOM
    for candidate in AUTO_ORDER:
        if card.vram_gb.get(candidate, float("inf")) <= usable:
            return candidate
    return "group_offload"


def component_dtypes(card: ModelCard, device: str) -> dict:
    """torch dtypes per component from the card; float32 everywhere on the CPU (bf16
    matmuls on most CPUs are slow and the tiny model is float32 anyway)."""
    import torch

    if not device.startswith("cuda"):
        return {"default": torch.float32}
    out = {name: getattr(torch, value) for name, value in card.dtype.items()}
    out.setdefault("default", torch.bfloat16)
    if "transformer" in out:
        out.setdefault("transformer_2", out["transformer"])
    return out


def place(pipe, mode: str, device: str) -> None:
    """Put a freshly loaded pipeline on `device` according to the resolved `mode`."""
    import torch

    if mode == "cpu":
        pipe.to("cpu")
        return
    dev = torch.device(device)
    if mode == "gpu":
        pipe.to(dev)
        return
    pipe.vae.enable_tiling()
    if mode == "model_offload":
        pipe.enable_model_cpu_offload(device=dev)
    elif mode == "group_offload":
        pipe.enable_group_offload(onload_device=dev, offload_device=torch.device("cpu"), offload_type="block_level",
                                  num_blocks_per_group=1, use_stream=True)
    elif mode == "sequential_offload":
        pipe.enable_sequential_cpu_offload(device=dev)
    else:  # validated before; kept as a guard for direct callers
        raise ValueError(f"unknown memory mode {mode!r}")


def oom_message(mode: str) -> str:
    lower = LOWER_MODE.get(mode)
    hint = f"retry with memory mode {lower} or a smaller size" if lower else "retry with a smaller size or fewer frames"
    return f"The GPU ran out of memory in memory mode {mode}; {hint}."
