"""engine: devices, dtypes and memory modes.

`auto` picks by free VRAM and host RAM, from the model card's `vram_gb` and `ram_gb`: the
fastest exact mode that fits (all-on-GPU, model offload, group offload), else the least
lossy mode that fits (fp8 layerwise casting, then GGUF: engine.quantize), else the mode
that needs the least VRAM.
Every mode but all-on-GPU also tiles the VAE decode. Components load in the dtypes the
card recommends (e.g. bf16 transformer and text encoder, fp32 VAE). On a CPU device the
whole pipeline simply lives on the CPU; the resolved mode is reported as "cpu".
"""

from __future__ import annotations

from engine.models import ModelCard

AUTO_ORDER = ("gpu", "model_offload", "group_offload", "fp8_layerwise", "gguf")
HEADROOM = 0.9  # use at most 90% of the free VRAM (and of the free host RAM)
LOWER_MODE = {"gpu": "model_offload", "model_offload": "group_offload", "group_offload": "sequential_offload"}


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def free_vram_gb(device: str) -> float:
    import torch

    free, _total = torch.cuda.mem_get_info(torch.device(device))
    return free / 1024**3


def free_ram_gb() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().available / 1024**3


def resolve_memory_mode(card: ModelCard, mode: str, device: str) -> str:
    """The concrete mode for `mode` on `device` ("cpu" on a CPU device, except the lossy
    modes that run there too)."""
    from engine.quantize import CPU_MODES, check_mode

    if mode != "auto":
        check_mode(mode, card, device)
    if not device.startswith("cuda"):
        return mode if mode in CPU_MODES else "cpu"
    if mode != "auto":
        return mode
    return pick_memory_mode(card, free_vram_gb(device), free_ram_gb())


def pick_memory_mode(card: ModelCard, free_gb: float, free_ram: float | None = None) -> str:
    """`auto`: the first mode of AUTO_ORDER that can run here and whose VRAM need (card
    `vram_gb`) fits in 90% of `free_gb` and RAM need (card `ram_gb`, where given) in 90%
    of `free_ram`; when none fits, the mode that needs the least VRAM."""
    from engine.quantize import mode_available

    usable = free_gb * HEADROOM
    ram = card.ram_gb or {}
    for candidate in AUTO_ORDER:
        if candidate not in card.vram_gb or mode_available(candidate, card) is not None:
            continue
        if card.vram_gb[candidate] > usable:
            continue
        if free_ram is not None and ram.get(candidate, 0) > free_ram * HEADROOM:
            continue
        return candidate
    runnable = [m for m in card.vram_gb if mode_available(m, card) is None] or ["sequential_offload"]
    return min(runnable, key=lambda m: card.vram_gb.get(m, float("inf")))


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
