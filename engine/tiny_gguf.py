"""engine: a GGUF file of the tiny model's transformer, built locally once, so that the
`gguf` memory mode runs end to end in CI like the real cards' Q8_0 files. Tensors are
written under the original Wan checkpoint names (what diffusers' `from_single_file`
converts from); every 2-D weight whose rows are a multiple of 32 is Q8_0, the rest F32
(Q8_0 blocks are 32 values wide; most tiny layers are 24 wide)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TINY_GGUF_VERSION = "1"
# diffusers name part -> original Wan name part (the inverse of diffusers' converter)
_TO_ORIGINAL = (
    ("condition_embedder.time_embedder.linear_1", "time_embedding.0"),
    ("condition_embedder.time_embedder.linear_2", "time_embedding.2"),
    ("condition_embedder.text_embedder.linear_1", "text_embedding.0"),
    ("condition_embedder.text_embedder.linear_2", "text_embedding.2"),
    ("condition_embedder.time_proj", "time_projection.1"),
    ("attn2", "cross_attn"), ("attn1", "self_attn"), (".to_out.0.", ".o."), (".to_q.", ".q."), (".to_k.", ".k."),
    (".to_v.", ".v."), ("ffn.net.0.proj", "ffn.0"), ("ffn.net.2", "ffn.2"),
    ("norm2", "norm__swap"), ("norm3", "norm2"), ("norm__swap", "norm3"),
)


def original_name(key: str) -> str:
    if key == "scale_shift_table":
        return "head.modulation"
    if key.startswith("proj_out."):
        return "head.head." + key[len("proj_out."):]
    key = key.replace("scale_shift_table", "modulation")
    for ours, theirs in _TO_ORIGINAL:
        key = key.replace(ours, theirs)
    return key


def ensure_tiny_gguf(models_dir: Path, name: str) -> Path:
    """The tiny transformer as GGUF in `models_dir` (built once, temporary name then renamed)."""
    import gguf
    from diffusers import WanTransformer3DModel

    from engine.tiny import ensure_tiny

    target = Path(models_dir) / f"v{TINY_GGUF_VERSION}-{name}"
    if target.is_file():
        return target
    transformer = WanTransformer3DModel.from_pretrained(ensure_tiny(models_dir) / "transformer")
    fd, tmp = tempfile.mkstemp(prefix=".tiny-gguf-", suffix=".gguf", dir=models_dir)
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp, "wan")
        for key, value in transformer.state_dict().items():
            array = value.float().numpy()
            if array.ndim == 2 and array.shape[-1] % 32 == 0:
                q8 = gguf.GGMLQuantizationType.Q8_0
                writer.add_tensor(original_name(key), gguf.quants.quantize(array, q8), raw_dtype=q8)
            else:
                writer.add_tensor(original_name(key), array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
