"""engine: tiny local models for every Wan architecture the cards use, built like the
`tiny` text-to-video model (engine.tiny): seeded random weights, the same byte-level
tokenizer and 2-layer UMT5 encoder, saved once into the models cache
(SHOTLINE_MODELS_DIR) and loaded through `from_pretrained` like a downloaded model.
Shapes follow diffusers' own pipeline tests (tests/pipelines/wan/); their videos are
noise, by design. A card chooses its recipe with `local_recipe`:

- `a14b`: Wan2.2 T2V-A14B: `WanPipeline` with `transformer` + `transformer_2` and a
  0.875 boundary (the two-expert path: high-noise expert, then low-noise expert).
- `i2v-a14b`: Wan2.2 I2V-A14B: `WanImageToVideoPipeline`, two 36-channel experts, no
  image encoder (Wan2.2 I2V uses none), boundary 0.900.
- `ti2v`: Wan2.2 TI2V-5B: the 48-channel Wan2.2 VAE (4x16x16, residual, patch 2) and a
  48-channel transformer, saved as a `WanPipeline` with `expand_timesteps=True`; from an
  image the engine runs it as `WanImageToVideoPipeline` (first frame conditioned).
- `i2v`: Wan2.1 I2V: `WanImageToVideoPipeline` with a CLIP vision encoder and image
  processor, the transformer's `image_dim` and added K/V projections for image tokens.
- `vace`: Wan2.1 VACE: `WanVACEPipeline` with a `WanVACETransformer3DModel` (VACE blocks
  at layers 0 and 2, 96 control channels): reference images and video + mask.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from engine.tiny import TINY_SEED
from engine.tiny import text_parts as _text_parts

RECIPE_VERSION = "1"


def _scheduler():
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0, num_train_timesteps=1000,
        solver_order=2, predict_x0=True, solver_type="bh2", lower_order_final=True, final_sigmas_type="zero",
    )


def _vae21():
    import torch
    from diffusers import AutoencoderKLWan

    torch.manual_seed(TINY_SEED + 2)
    return AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                            temperal_downsample=[False, True, True]).eval()


def _vae22():
    """The Wan2.2 VAE's layout: 48 latent channels, patchified input (12 = 3 x 2 x 2),
    residual blocks, 16x spatial and 4x temporal compression."""
    import torch
    from diffusers import AutoencoderKLWan

    torch.manual_seed(TINY_SEED + 2)
    return AutoencoderKLWan(
        base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
        latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True],
    ).eval()


def _transformer(seed: int, cls_name: str = "WanTransformer3DModel", **over):
    import diffusers
    import torch

    torch.manual_seed(seed)
    args = dict(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
                text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
                qk_norm="rms_norm_across_heads", rope_max_seq_len=32)
    args.update(over)
    return getattr(diffusers, cls_name)(**args).eval()


def build_a14b():
    from diffusers import WanPipeline

    tokenizer, text_encoder = _text_parts()
    return WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=_vae21(), scheduler=_scheduler(),
                       transformer=_transformer(TINY_SEED + 1), transformer_2=_transformer(TINY_SEED + 11),
                       boundary_ratio=0.875)


def build_i2v_a14b():
    from diffusers import WanImageToVideoPipeline

    tokenizer, text_encoder = _text_parts()
    return WanImageToVideoPipeline(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=_vae21(), scheduler=_scheduler(),
        transformer=_transformer(TINY_SEED + 1, in_channels=36), transformer_2=_transformer(TINY_SEED + 11, in_channels=36),
        image_encoder=None, image_processor=None, boundary_ratio=0.9,
    )


def build_ti2v():
    from diffusers import WanPipeline

    tokenizer, text_encoder = _text_parts()
    return WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=_vae22(), scheduler=_scheduler(),
                       transformer=_transformer(TINY_SEED + 1, in_channels=48, out_channels=48),
                       expand_timesteps=True)


def build_i2v():
    import torch
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    tokenizer, text_encoder = _text_parts()
    torch.manual_seed(TINY_SEED + 3)
    image_encoder = CLIPVisionModel(CLIPVisionConfig(hidden_size=8, projection_dim=8, num_hidden_layers=2,
                                                     num_attention_heads=2, image_size=32, intermediate_size=16,
                                                     patch_size=8)).eval()
    image_processor = CLIPImageProcessor(crop_size=32, size=32)
    # 24 = heads x head dim: the image tokens get their own K/V projections, as in Wan2.1 I2V
    transformer = _transformer(TINY_SEED + 1, in_channels=36, image_dim=8, added_kv_proj_dim=24)
    return WanImageToVideoPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=_vae21(), scheduler=_scheduler(),
                                   transformer=transformer, image_encoder=image_encoder,
                                   image_processor=image_processor)


def build_vace():
    from diffusers import WanVACEPipeline

    tokenizer, text_encoder = _text_parts()
    transformer = _transformer(TINY_SEED + 1, "WanVACETransformer3DModel", num_layers=3, vace_layers=[0, 2],
                               vace_in_channels=96)
    return WanVACEPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=_vae21(), scheduler=_scheduler(),
                           transformer=transformer)


RECIPES: dict[str, Callable] = {
    "a14b": build_a14b, "i2v-a14b": build_i2v_a14b, "ti2v": build_ti2v, "i2v": build_i2v, "vace": build_vace,
}


def recipe_dir(models_dir: Path, recipe: str) -> Path:
    return Path(models_dir) / f"tiny-{recipe}-v{RECIPE_VERSION}"


def ensure_recipe(models_dir: Path, recipe: str) -> Path:
    """Build and save one tiny architecture into `models_dir` once; return its folder
    (atomically: a temporary sibling renamed into place, as engine.tiny does)."""
    if recipe not in RECIPES:
        raise ValueError(f"local recipe {recipe!r} is not known; accepted: {', '.join(RECIPES)}.")
    target = recipe_dir(models_dir, recipe)
    if (target / "model_index.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tiny-{recipe}-build-", dir=target.parent))
    try:
        RECIPES[recipe]().save_pretrained(tmp, safe_serialization=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "model_index.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def local_dir(models_dir: Path, recipe: str | None) -> Path:
    """Where a local-only card's model lives (recipe None = the original `tiny`)."""
    if recipe is None:
        from engine.tiny import tiny_dir

        return tiny_dir(models_dir)
    return recipe_dir(models_dir, recipe)


def ensure_local(models_dir: Path, recipe: str | None) -> Path:
    if recipe is None:
        from engine.tiny import ensure_tiny

        return ensure_tiny(models_dir)
    return ensure_recipe(models_dir, recipe)
