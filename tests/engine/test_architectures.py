"""Every tiny architecture generates through `engine.generate`, and each runs the code path
it stands for: two experts (transformer then transformer_2 across the boundary), the
48-channel Wan2.2 latents with expand_timesteps, the CLIP image encoder of Wan2.1 I2V, and
VACE's reference images and start frame. Hooks on the real modules count what ran."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from engine import GenerationRequest, InvalidRequest, read_frames, read_metadata


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.RandomState(3)
    out = {}
    for name, colour in (("red", (220, 30, 30)), ("blue", (30, 30, 220))):
        arr = np.clip(np.array(colour)[None, None] + rng.randint(-20, 20, (64, 64, 3)), 0, 255).astype("uint8")
        Image.fromarray(arr).save(folder / f"{name}.png")
        out[name] = str(folder / f"{name}.png")
    return out


def _calls(module, store: list, key: str):
    def hook(_mod, args, kwargs):
        hidden = kwargs.get("hidden_states", kwargs.get("pixel_values", args[0] if args else None))
        store.append((key, tuple(hidden.shape)))
    return module.register_forward_pre_hook(hook, with_kwargs=True)


def _generate(engine, tmp_path, model, hooks=(), **kw):
    """Generate once and record (module name, input shape) for every forward of `hooks`."""
    seen: list = []
    request = GenerationRequest(prompt="a red bottle on a table", model=model, steps=4, seed=5,
                                output_path=str(tmp_path / f"{model}-{len(list(tmp_path.iterdir()))}.mp4"), **kw)
    engine.generate(dataclass_replace(request, steps=1, preview_every=0))  # load (and build) first
    handles = [_calls(getattr(engine._pipe, name), seen, name) for name in hooks]
    try:
        result = engine.generate(request)
    finally:
        for h in handles:
            h.remove()
    return result, seen


def dataclass_replace(request, **changes):
    import dataclasses

    return dataclasses.replace(request, output_path=request.output_path.replace(".mp4", "-warm.mp4"), **changes)


def test_tiny_a14b_runs_both_experts_across_the_boundary(warm_engine, tmp_path):
    result, seen = _generate(warm_engine, tmp_path, "tiny-a14b", hooks=("transformer", "transformer_2"))
    order = [name for name, _shape in seen]
    # CFG: two forwards a step; the high-noise expert first, then the low-noise one, never back
    assert "transformer" in order and "transformer_2" in order
    assert order == sorted(order, key=lambda n: n == "transformer_2")
    assert len(order) == 8
    assert warm_engine._pipe.config.boundary_ratio == 0.875
    assert read_frames(result.video_path).shape == (9, 64, 64, 3)
    meta = read_metadata(result.video_path)
    assert meta["guidance_2"] == 3.0 and meta["model"] == "tiny-a14b"


def test_tiny_ti2v_runs_48_channel_latents_from_text_and_from_an_image(warm_engine, tmp_path, photos):
    result, seen = _generate(warm_engine, tmp_path, "tiny-ti2v", hooks=("transformer",))
    assert type(warm_engine._pipe).__name__ == "WanPipeline" and warm_engine._pipe.config.expand_timesteps
    assert {shape[1] for _n, shape in seen} == {48}  # Wan2.2 VAE latents: 48 channels
    assert {shape[3:] for _n, shape in seen} == {(4, 4)}  # 64 px / 16 (the 4x16x16 VAE)
    assert warm_engine._pipe.vae.config.z_dim == 48
    transformer = warm_engine._pipe.transformer

    red, seen_img = _generate(warm_engine, tmp_path, "tiny-ti2v", hooks=("transformer",), image=photos["red"])
    pipe = warm_engine._pipe
    assert type(pipe).__name__ == "WanImageToVideoPipeline" and pipe.config.expand_timesteps
    assert pipe.transformer is transformer  # the same warm modules, not a reload
    assert {shape[1] for _n, shape in seen_img} == {48}
    blue, _ = _generate(warm_engine, tmp_path, "tiny-ti2v", image=photos["blue"])
    assert not np.array_equal(read_frames(red.video_path), read_frames(blue.video_path))
    assert read_metadata(red.video_path)["images"][0]["role"] == "start"


def test_tiny_i2v_encodes_the_image_with_clip(warm_engine, tmp_path, photos):
    result, seen = _generate(warm_engine, tmp_path, "tiny-i2v", hooks=("image_encoder", "transformer"),
                             image=photos["red"])
    names = [n for n, _s in seen]
    assert names.count("image_encoder") == 1 and names.count("transformer") == 8
    assert {shape[1] for n, shape in seen if n == "transformer"} == {36}  # 16 noise + 4 mask + 16 condition
    assert warm_engine._pipe.transformer.config.image_dim == warm_engine._pipe.image_encoder.config.hidden_size
    assert read_frames(result.video_path).shape == (9, 64, 64, 3)


def test_tiny_i2v_a14b_takes_start_and_end_frames_on_two_experts(warm_engine, tmp_path, photos):
    result, seen = _generate(warm_engine, tmp_path, "tiny-i2v-a14b", hooks=("transformer", "transformer_2"),
                             image=photos["red"], last_image=photos["blue"])
    assert {n for n, _s in seen} == {"transformer", "transformer_2"}
    assert warm_engine._pipe.config.boundary_ratio == 0.9 and warm_engine._pipe.image_encoder is None
    roles = [i["role"] for i in read_metadata(result.video_path)["images"]]
    assert roles == ["start", "end"]


def test_tiny_vace_takes_references_and_a_start_frame(warm_engine, tmp_path, photos):
    plain, seen = _generate(warm_engine, tmp_path, "tiny-vace", hooks=("transformer",))
    with_ref, seen_ref = _generate(warm_engine, tmp_path, "tiny-vace", hooks=("transformer",),
                                   reference_images=(photos["red"],))
    # one reference adds one latent frame in front of the clip's 3
    assert {s[2] for _n, s in seen} == {3} and {s[2] for _n, s in seen_ref} == {4}
    assert read_frames(with_ref.video_path).shape == (9, 64, 64, 3)
    assert not np.array_equal(read_frames(plain.video_path), read_frames(with_ref.video_path))
    started, _ = _generate(warm_engine, tmp_path, "tiny-vace", image=photos["red"])
    assert not np.array_equal(read_frames(plain.video_path), read_frames(started.video_path))


def test_image_models_refuse_what_they_do_not_take(warm_engine, photos):
    with pytest.raises(InvalidRequest, match=r"^image .* no start image for tiny, which does not take one; models "
                                             r"that take a start image: .*tiny-i2v"):
        warm_engine.generate(GenerationRequest(prompt="x", image=photos["red"]))
    with pytest.raises(InvalidRequest, match=r"^image None is not accepted: a start image: tiny-i2v makes video"):
        warm_engine.generate(GenerationRequest(prompt="x", model="tiny-i2v"))
    with pytest.raises(InvalidRequest, match=r"^reference_images .* models that take references: .*tiny-vace"):
        warm_engine.generate(GenerationRequest(prompt="x", model="tiny-i2v", image=photos["red"],
                                               reference_images=(photos["blue"],)))


def test_image_fields_round_trip_through_json():
    req = GenerationRequest(prompt="x", model="tiny-vace", image="/a.png", reference_images=("/b.png", "/c.png"))
    data = req.to_dict()
    assert data["reference_images"] == ["/b.png", "/c.png"]
    assert GenerationRequest.from_dict(data) == req
