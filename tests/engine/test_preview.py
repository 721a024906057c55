"""Latent previews: the linear factors per VAE family, frames side by side, and the
clean estimate x0 taken from the scheduler."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.preview import FAMILIES, WAN21_BIAS, LatentPreviewer, clean_estimate


def test_factor_tables_have_the_vae_channel_counts():
    assert len(FAMILIES["wan2.1"][0]) == 16 and len(FAMILIES["wan2.2"][0]) == 48
    assert all(len(row) == 3 for fam in FAMILIES.values() for row in fam[0])


def test_zero_latent_previews_as_the_bias_colour():
    strip = LatentPreviewer("wan2.1").to_array(torch.zeros(1, 16, 3, 4, 5))
    expected = ((np.array(WAN21_BIAS) + 1) * 127.5).astype(np.uint8)
    assert strip.shape == (4, 3 * 5, 3)
    assert (strip == expected).all()


@pytest.mark.parametrize("family,channels", [("wan2.1", 16), ("wan2.2", 48)])
def test_channel_maps_through_its_factor_row(family, channels):
    previewer = LatentPreviewer(family)
    factors, bias = FAMILIES[family]
    lat = torch.zeros(1, channels, 1, 2, 2)
    lat[0, 5] = 1.0  # channel 5 only
    pixel = previewer.to_array(lat)[0, 0].astype(int)
    expected = ((np.clip(np.array(factors[5]) + np.array(bias), -1, 1) + 1) * 127.5).astype(int)
    assert np.abs(pixel - expected).max() <= 1


def test_frames_side_by_side_in_time_order():
    previewer = LatentPreviewer("wan2.1", max_frames=4)
    lat = torch.zeros(1, 16, 7, 2, 3)
    for t in range(7):
        lat[0, 2, t] = t / 6  # channel 2 brightens every colour over time
    strip = previewer.to_array(lat)
    assert strip.shape == (2, 4 * 3, 3)
    brightness = [strip[:, i * 3:(i + 1) * 3].mean() for i in range(4)]
    assert brightness == sorted(brightness) and brightness[0] < brightness[-1]
    image = previewer.to_image(lat)
    assert image.height >= 64 and image.width == image.height * 6  # whole-factor upscale keeps the aspect


def test_torch_path_matches_numpy_path():
    """The torch branch (used for CUDA latents) gives the same strip as the numpy one."""
    previewer = LatentPreviewer("wan2.1")
    lat = torch.randn(1, 16, 5, 4, 4, generator=torch.Generator().manual_seed(0))
    a = previewer.to_array(lat, use_torch=False).astype(int)
    b = previewer.to_array(lat, use_torch=True).astype(int)
    assert a.shape == b.shape and np.abs(a - b).max() <= 1


def test_clean_estimate_from_unipc_is_its_x0_prediction():
    from diffusers import UniPCMultistepScheduler

    sched = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    sched.set_timesteps(6)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(1, 4, 1, 2, 2, generator=gen)
    v = torch.randn(1, 4, 1, 2, 2, generator=gen)
    sigma = float(sched.sigmas[0])
    after = sched.step(v, sched.timesteps[0], x).prev_sample
    x0 = clean_estimate(sched, after, None, 0)
    assert torch.allclose(x0, x - sigma * v, atol=1e-5)


def test_clean_estimate_for_flow_euler_from_two_latents():
    from diffusers import FlowMatchEulerDiscreteScheduler

    sched = FlowMatchEulerDiscreteScheduler(shift=3.0)
    sched.set_timesteps(5)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(1, 4, 1, 2, 2, generator=gen)
    v = torch.randn(1, 4, 1, 2, 2, generator=gen)
    sigma = float(sched.sigmas[1])
    sched._step_index = 1
    after = sched.step(v, sched.timesteps[1], x).prev_sample
    x0 = clean_estimate(sched, after, x, 1)
    assert torch.allclose(x0, x - sigma * v, atol=1e-5)
    assert clean_estimate(sched, after, None, 1) is None
