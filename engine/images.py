"""engine: the images a request conditions on (start frame, end frame, references).

Each one is checked before any model work, from the file's header where possible (so a
decompression bomb is refused without being decoded): a real still image (PNG, JPEG or
WebP, sniffed from its bytes, not its name), not animated, RGB or greyscale (no CMYK,
no alpha channel), within the pixel limits, and for start/end frames an aspect close
enough to the clip's that a centre crop keeps the picture. Each failure is one
`InvalidRequest` sentence naming the field, the value and what is accepted.

`load_frame` and `load_reference` give the PIL images the pipelines get: frames are
centre-cropped to the clip's aspect and resized to its exact size; references keep
their aspect (the VACE pipeline fits them itself).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidRequest
from engine.models import ModelCard, list_cards

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 MP: far above any camera photo a shot needs; 20000x20000 is 400 MP
MAX_SIDE = 12_000
MIN_SIDE = 16
MAX_ASPECT_MISMATCH = 1.34  # e.g. a 4:3 photo for a 16:9 clip (1.33) is cropped; 1:1 for 16:9 (1.78) is refused
MAX_REFERENCES = 4
IMAGE_FIELDS = ("image", "last_image", "reference_images")


@dataclass(frozen=True)
class ImageInputs:
    """Checked conditioning images: absolute paths, or None / () where not given."""

    image: str | None = None
    last_image: str | None = None
    reference_images: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.image or self.last_image or self.reference_images)


def _takers(what: str) -> str:
    names = [c.id for c in list_cards() if what in c.takes]
    return ", ".join(names) if names else "none installed"


def check_image(field: str, path: object, *, width: int | None = None, height: int | None = None) -> str:
    """Check one image file; returns its absolute path. With `width` and `height` the
    aspect must be close to width/height (start and end frames)."""
    from PIL import Image, UnidentifiedImageError

    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise InvalidRequest(field, path, "a path to a PNG, JPEG or WebP image")
    p = Path(path).expanduser()
    if not p.is_file():
        raise InvalidRequest(field, str(path), "a path to an existing PNG, JPEG or WebP image file")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidRequest(field, str(path), f"an image file of at most {MAX_FILE_BYTES // (1024 * 1024)} MB "
                             f"(this one is {size / 1024 / 1024:.0f} MB)")
    try:
        with Image.open(p) as img:  # reads the header only; pixels are not decoded here
            fmt, (w, h), mode = img.format, img.size, img.mode
            frames = getattr(img, "n_frames", 1)
            animated = bool(getattr(img, "is_animated", False)) or frames > 1
            transparent = "transparency" in img.info or mode in ("RGBA", "LA", "PA", "RGBa", "La")
    except Image.DecompressionBombError:
        raise InvalidRequest(field, str(path), f"an image of at most {MAX_PIXELS // 1_000_000} megapixels (this one "
                             "is so large it is refused unread, as a decompression bomb would be)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidRequest(field, str(path), "a PNG, JPEG or WebP image (this file is not an image "
                             "that can be read)") from None
    if fmt not in FORMATS:
        raise InvalidRequest(field, str(path), f"a PNG, JPEG or WebP image (this file is {fmt or 'unknown'})")
    if w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
        raise InvalidRequest(field, str(path), f"an image of at most {MAX_PIXELS // 1_000_000} megapixels and "
                             f"{MAX_SIDE} pixels a side (this one is {w}x{h})")
    if min(w, h) < MIN_SIDE:
        raise InvalidRequest(field, str(path), f"an image at least {MIN_SIDE} pixels a side (this one is {w}x{h})")
    if animated:
        raise InvalidRequest(field, str(path), f"a still image (this one is animated, {frames} frames); "
                             "export the frame you want as a PNG or JPEG")
    if mode == "CMYK":
        raise InvalidRequest(field, str(path), "an RGB image (this one is CMYK, a print colour space); "
                             "convert it to RGB first")
    if transparent and not _opaque(p):
        raise InvalidRequest(field, str(path), "an image without transparency (this one has an alpha "
                             "channel); flatten it onto a background first")
    if mode not in ("RGB", "L", "P", "I;16", "YCbCr", "RGBA", "LA", "PA"):  # an alpha channel got here only if opaque
        raise InvalidRequest(field, str(path), f"an RGB or greyscale image (this one is in mode {mode})")
    if width and height:
        ratio = (w / h) / (width / height)
        if max(ratio, 1 / ratio) > MAX_ASPECT_MISMATCH:
            raise InvalidRequest(field, str(path), f"an image shaped like the {width}x{height} clip, give or take a "
                                 f"third (this one is {w}x{h}); crop it or pick the matching resolution")
    return str(p.resolve())


def _opaque(path: Path) -> bool:
    """An alpha channel that is fully opaque everywhere (common in exported PNGs) hides nothing."""
    from PIL import Image

    with Image.open(path) as img:
        return img.convert("RGBA").getchannel("A").getextrema() == (255, 255)


def check_images(card: ModelCard, image: object, last_image: object, references: object, width: int,
                 height: int, *, image_pending: bool = False) -> ImageInputs:
    """All of a request's images, against what `card` takes. Raises InvalidRequest.
    `image_pending`: a start image will be given later (it must be a model that takes one)."""
    if image_pending and "image" not in card.takes:
        raise InvalidRequest("image", "(the previous clip's last frame)", f"no start image for {card.id}, which does "
                             f"not take one; models that take a start image: {_takers('image')}")
    if image is not None and "image" not in card.takes:
        raise InvalidRequest("image", image, f"no start image for {card.id}, which does not take one; models that "
                             f"take a start image: {_takers('image')}")
    if last_image is not None and "last_image" not in card.takes:
        raise InvalidRequest("last_image", last_image, f"no end image for {card.id}, which does not take one; "
                             f"models that take an end image: {_takers('last_image')}")
    if isinstance(references, (str, os.PathLike)) or not isinstance(references, (list, tuple)):
        raise InvalidRequest("reference_images", references, "a list of image paths")
    if references and "reference_images" not in card.takes:
        raise InvalidRequest("reference_images", list(references), f"no reference images for {card.id}, which does "
                             f"not take them; models that take references: {_takers('reference_images')}")
    if len(references) > MAX_REFERENCES:
        raise InvalidRequest("reference_images", f"{len(references)} images", f"at most {MAX_REFERENCES} references")
    if card.needs_image and image is None and not image_pending:
        raise InvalidRequest("image", None, f"a start image: {card.id} makes video from an image")
    if card.needs_last_image and last_image is None:
        raise InvalidRequest("last_image", None, f"an end image: {card.id} makes video between a first and a last frame")
    return ImageInputs(
        image=None if image is None else check_image("image", image, width=width, height=height),
        last_image=None if last_image is None else check_image("last_image", last_image, width=width, height=height),
        reference_images=tuple(check_image(f"reference_images[{i}]", r) for i, r in enumerate(references)),
    )


def load_frame(path: str, width: int, height: int):  # -> PIL.Image.Image
    """A checked start/end image as the clip's frame: RGB, centre-cropped to the clip's
    aspect, resized to exactly width x height."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        if img.size == (width, height):  # a chained clip's last frame: handed over pixel for pixel
            return img
        return ImageOps.fit(img, (width, height), method=Image.Resampling.LANCZOS)


def load_reference(path: str):  # -> PIL.Image.Image
    """A checked reference image as RGB, its aspect kept."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        return ImageOps.exif_transpose(img).convert("RGB")


def ingredients(images: ImageInputs) -> dict:
    """The images a clip was conditioned on, for its metadata (and an export's provenance):
    {"images": [{"role", "name", "sha256"}]}, or {} when there were none. No path: it is
    the machine's business where the file was; the hash says which image it was."""
    import hashlib

    roles = [("start", images.image), ("end", images.last_image)]
    roles += [("reference", p) for p in images.reference_images]
    out = []
    for role, path in roles:
        if path:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            out.append({"role": role, "name": Path(path).name, "sha256": digest})
    return {"images": out} if out else {}
