"""Bad conditioning images get one sentence each, naming the field, the file and what is
accepted, before any model work: not an image, a decompression bomb (20000x20000, refused
from its header, never decoded), too many megapixels, animated, CMYK, alpha, the wrong
aspect. Good ones are cropped to the clip's aspect, not stretched."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from engine import GenerationRequest, InvalidRequest, resolve_request
from engine.images import load_frame


def _png_header_only(path, width: int, height: int) -> str:
    """A PNG whose header claims width x height, with one tiny (truncated) data chunk: what a
    decompression bomb looks like before it is decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return str(path)


def _check(path, field="image", model="tiny-vace"):
    kwargs = {"reference_images": (path,)} if field == "reference_images" else {field: path}
    with pytest.raises(InvalidRequest) as info:
        resolve_request(GenerationRequest(prompt="a bottle", model=model, **kwargs))
    message = str(info.value)
    assert message.count(".") >= 1 and "\n" not in message and "Traceback" not in message
    return message


def test_not_an_image(tmp_path):
    p = tmp_path / "photo.png"
    p.write_text("this is a text file named like a photo")
    assert _check(str(p)) == (f"image {str(p)!r} is not accepted: a PNG, JPEG or WebP image (this file is not an "
                              "image that can be read).")


def test_a_missing_file_and_a_gif(tmp_path):
    assert "an existing PNG, JPEG or WebP image file" in _check(str(tmp_path / "nope.png"))
    gif = tmp_path / "still.gif"
    Image.new("RGB", (64, 64), "red").save(gif)
    assert "this file is GIF" in _check(str(gif), "last_image")


def test_a_20000_by_20000_bomb_is_refused_from_its_header(tmp_path):
    bomb = _png_header_only(tmp_path / "bomb.png", 20000, 20000)
    message = _check(bomb)
    assert message.startswith(f"image {bomb!r} is not accepted: an image of at most 40 megapixels")
    assert "decompression bomb" in message


def test_too_many_megapixels_names_the_size(tmp_path):
    big = _png_header_only(tmp_path / "big.png", 8000, 6000)
    assert "(this one is 8000x6000)" in _check(big, "reference_images")


def test_animated_image(tmp_path):
    p = tmp_path / "moving.png"
    frames = [Image.new("RGB", (64, 64), c) for c in ("red", "blue", "green")]
    frames[0].save(p, save_all=True, append_images=frames[1:], duration=100)
    assert "a still image (this one is animated, 3 frames)" in _check(str(p))


def test_cmyk_image(tmp_path):
    p = tmp_path / "print.jpg"
    Image.new("CMYK", (64, 64), (0, 255, 255, 0)).save(p)
    assert "an RGB image (this one is CMYK, a print colour space); convert it to RGB first" in _check(str(p))


def test_alpha_channel(tmp_path):
    p = tmp_path / "cutout.png"
    Image.new("RGBA", (64, 64), (255, 0, 0, 128)).save(p)
    assert "an image without transparency (this one has an alpha channel)" in _check(str(p), "reference_images")
    opaque = tmp_path / "screenshot.png"
    Image.new("RGBA", (64, 64), (255, 0, 0, 255)).save(opaque)  # an alpha channel that hides nothing
    assert resolve_request(GenerationRequest(prompt="a", model="tiny-vace", image=str(opaque))).images.image


def test_wrong_aspect_for_a_frame_but_not_for_a_reference(tmp_path):
    p = tmp_path / "banner.png"
    Image.new("RGB", (256, 64), "red").save(p)
    assert ("an image shaped like the 64x64 clip, give or take a third (this one is 256x64)"
            in _check(str(p), "last_image"))
    ok = resolve_request(GenerationRequest(prompt="a bottle", model="tiny-vace", reference_images=(str(p),)))
    assert ok.images.reference_images == (str(p.resolve()),)


def test_a_photo_is_cropped_to_the_clip_not_stretched(tmp_path):
    p = tmp_path / "wide.png"
    arr = np.zeros((60, 80, 3), np.uint8)
    arr[:, :10] = (255, 0, 0)  # a red band at the left edge, cropped away for a square clip
    arr[:, 10:70] = (0, 0, 255)
    Image.fromarray(arr).save(p)
    frame = np.asarray(load_frame(str(p), 64, 64))
    assert frame.shape == (64, 64, 3)
    assert frame[:, :4, 0].max() < 60 and frame[:, :, 2].min() > 200
