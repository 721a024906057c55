"""engine: one Wan architecture per pipeline, and how a request's images reach it.

- `WanPipeline` (T2V, T2V-A14B, TI2V-5B from text): no images.
- `WanImageToVideoPipeline` (I2V-A14B, Wan2.1 I2V and FLF2V, TI2V-5B from an image):
  `image` is the start frame (diffusers VAE-encodes it as the first frame; with
  `expand_timesteps` the first latent frame is kept clean), `last_image` the end frame.
- `WanVACEPipeline` (VACE): references go in as `reference_images`; a start and/or end
  frame become a control `video` (the given frames, grey elsewhere) with a `mask` that
  is black (keep) on given frames and white (generate) elsewhere, the layout diffusers'
  own first-last-frame example uses.

The card says which class loads the weights (`pipeline_class`) and which runs a request
with a start or end image (`image_pipeline_class`, e.g. TI2V-5B's one repository serves
both); `switch` turns a warm pipeline into the other class with the same modules.
"""

from __future__ import annotations

from typing import Any

from engine.images import ImageInputs, load_frame, load_reference
from engine.models import ModelCard

GREY = (128, 128, 128)


def class_for(card: ModelCard, images: ImageInputs) -> str:
    """The diffusers pipeline class that runs a request with these images on `card`."""
    if (images.image or images.last_image) and card.image_pipeline_class:
        return card.image_pipeline_class
    return card.pipeline_class


def switch(pipe, class_name: str):
    """The warm pipeline as `class_name`, sharing every module (diffusers' from_pipe keeps
    config values such as `expand_timesteps` and `boundary_ratio`)."""
    import diffusers

    if type(pipe).__name__ == class_name:
        return pipe
    new = getattr(diffusers, class_name).from_pipe(pipe)
    new.set_progress_bar_config(disable=True)
    return new


def condition_kwargs(class_name: str, images: ImageInputs, width: int, height: int,
                     num_frames: int) -> dict[str, Any]:
    """The pipeline-call arguments that carry the images (PIL images, sized for the clip)."""
    if class_name == "WanImageToVideoPipeline":
        out: dict[str, Any] = {"image": load_frame(images.image, width, height)}
        if images.last_image:
            out["last_image"] = load_frame(images.last_image, width, height)
        return out
    if class_name == "WanVACEPipeline":
        return vace_kwargs(images, width, height, num_frames)
    return {}


def vace_kwargs(images: ImageInputs, width: int, height: int, num_frames: int) -> dict[str, Any]:
    from PIL import Image

    out: dict[str, Any] = {}
    if images.reference_images:
        out["reference_images"] = [load_reference(p) for p in images.reference_images]
    if images.image or images.last_image:
        grey = Image.new("RGB", (width, height), GREY)
        keep, make = Image.new("L", (width, height), 0), Image.new("L", (width, height), 255)
        video, mask = [grey] * num_frames, [make] * num_frames
        if images.image:
            video[0], mask[0] = load_frame(images.image, width, height), keep
        if images.last_image:
            video[-1], mask[-1] = load_frame(images.last_image, width, height), keep
        out["video"], out["mask"] = list(video), list(mask)
    return out
