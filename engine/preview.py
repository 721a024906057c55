"""engine: live denoising previews without the VAE.

A latent is mapped to RGB by a linear map per VAE family (factors from
wan-facts.md for the 16-channel Wan 2.1 VAE; ComfyUI's `latent_formats.Wan22` for the
48-channel Wan 2.2 VAE), applied to the clean estimate x0 where the scheduler exposes it
(UniPC keeps it as `model_outputs[-1]`; for flow-matching Euler x0 = x_t - sigma_t * v is
recovered from two consecutive latents). Several latent frames are laid side by side so
motion shows. It runs on the latent's device and costs a fraction of a step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

WAN21_FACTORS = [
    [-0.1299, -0.1692, 0.2932],
    [0.0671, 0.0406, 0.0442],
    [0.3568, 0.2548, 0.1747],
    [0.0372, 0.2344, 0.1420],
    [0.0313, 0.0189, -0.0328],
    [0.0296, -0.0956, -0.0665],
    [-0.3477, -0.4059, -0.2925],
    [0.0166, 0.1902, 0.1975],
    [-0.0412, 0.0267, -0.1364],
    [-0.1293, 0.0740, 0.1636],
    [0.0680, 0.3019, 0.1128],
    [0.0032, 0.0581, 0.0639],
    [-0.1251, 0.0927, 0.1699],
    [0.0060, -0.0633, 0.0005],
    [0.3477, 0.2275, 0.2950],
    [0.1984, 0.0913, 0.1861],
]
WAN21_BIAS = [-0.1835, -0.0868, -0.3360]

# ComfyUI comfy/latent_formats.py, class Wan22 (latent_rgb_factors, latent_rgb_factors_bias).
WAN22_FACTORS = [
    [0.0119, 0.0103, 0.0046],
    [-0.1062, -0.0504, 0.0165],
    [0.0140, 0.0409, 0.0491],
    [-0.0813, -0.0677, 0.0607],
    [0.0656, 0.0851, 0.0808],
    [0.0264, 0.0463, 0.0912],
    [0.0295, 0.0326, 0.0590],
    [-0.0244, -0.0270, 0.0025],
    [0.0443, -0.0102, 0.0288],
    [-0.0465, -0.0090, -0.0205],
    [0.0359, 0.0236, 0.0082],
    [-0.0776, 0.0854, 0.1048],
    [0.0564, 0.0264, 0.0561],
    [0.0006, 0.0594, 0.0418],
    [-0.0319, -0.0542, -0.0637],
    [-0.0268, 0.0024, 0.0260],
    [0.0539, 0.0265, 0.0358],
    [-0.0359, -0.0312, -0.0287],
    [-0.0285, -0.1032, -0.1237],
    [0.1041, 0.0537, 0.0622],
    [-0.0086, -0.0374, -0.0051],
    [0.0390, 0.0670, 0.2863],
    [0.0069, 0.0144, 0.0082],
    [0.0006, -0.0167, 0.0079],
    [0.0313, -0.0574, -0.0232],
    [-0.1454, -0.0902, -0.0481],
    [0.0714, 0.0827, 0.0447],
    [-0.0304, -0.0574, -0.0196],
    [0.0401, 0.0384, 0.0204],
    [-0.0758, -0.0297, -0.0014],
    [0.0568, 0.1307, 0.1372],
    [-0.0055, -0.0310, -0.0380],
    [0.0239, -0.0305, 0.0325],
    [-0.0663, -0.0673, -0.0140],
    [-0.0416, -0.0047, -0.0023],
    [0.0166, 0.0112, -0.0093],
    [-0.0211, 0.0011, 0.0331],
    [0.1833, 0.1466, 0.2250],
    [-0.0368, 0.0370, 0.0295],
    [-0.3441, -0.3543, -0.2008],
    [-0.0479, -0.0489, -0.0420],
    [-0.0660, -0.0153, 0.0800],
    [-0.0101, 0.0068, 0.0156],
    [-0.0690, -0.0452, -0.0927],
    [-0.0145, 0.0041, 0.0015],
    [0.0421, 0.0451, 0.0373],
    [0.0504, -0.0483, -0.0356],
    [-0.0837, 0.0168, 0.0055],
]
WAN22_BIAS = [0.0317, -0.0878, -0.1388]

FAMILIES: dict[str, tuple[list[list[float]], list[float]]] = {
    "wan2.1": (WAN21_FACTORS, WAN21_BIAS),
    "wan2.2": (WAN22_FACTORS, WAN22_BIAS),
}
MAX_PREVIEW_FRAMES = 4
MIN_PREVIEW_HEIGHT = 64


class LatentPreviewer:
    """Turns a (1, C, T, H, W) latent into one PIL image of up to `max_frames` frames
    side by side. Factors are moved to the latent's device once and cached."""

    def __init__(self, vae_family: str, max_frames: int = MAX_PREVIEW_FRAMES):
        factors, bias = FAMILIES[vae_family]
        self._factors_list, self._bias_list = factors, bias
        self.channels = len(factors)
        self.max_frames = max_frames
        self._cache: dict[Any, tuple[Any, Any]] = {}
        self._np_factors = np.asarray(factors, dtype=np.float32)
        self._np_bias = np.asarray(bias, dtype=np.float32)

    def _weights(self, device, dtype):
        import torch

        key = (str(device), dtype)
        if key not in self._cache:
            self._cache[key] = (
                torch.tensor(self._factors_list, device=device, dtype=dtype),
                torch.tensor(self._bias_list, device=device, dtype=dtype),
            )
        return self._cache[key]

    def _indices(self, t: int) -> list[int]:
        """Up to `max_frames` latent frames spread evenly over the clip (first and last included)."""
        count = min(self.max_frames, t)
        if count == 1:
            return [t - 1]
        return [round(i * (t - 1) / (count - 1)) for i in range(count)]

    def to_array(self, latent, use_torch: bool | None = None) -> np.ndarray:
        """(1, C, T, H, W) latent -> (H, k*W, 3) uint8 strip of k frames side by side, at
        latent resolution (one pixel per latent cell). CPU latents go through numpy, others
        stay on their device in torch (`use_torch` forces a path)."""
        import torch

        if latent.ndim != 5 or latent.shape[1] != self.channels:
            raise ValueError(f"preview expects a (1, {self.channels}, T, H, W) latent, got {tuple(latent.shape)}")
        _, _, t, h, w = latent.shape
        idx = self._indices(t)
        if use_torch is None:
            use_torch = latent.device.type != "cpu"
        if not use_torch:
            # numpy for CPU latents: torch's intra-op threads cost more than the maths on
            # tensors this small (and much more on a busy machine)
            frames = latent.detach()[0, :, idx].float().numpy()  # (C, k, H, W)
            flat = frames.transpose(2, 1, 3, 0).reshape(-1, self.channels)  # (H*k*W, C)
            rgb = flat @ self._np_factors + self._np_bias
            np.clip(rgb, -1, 1, out=rgb)
            return ((rgb + 1) * 127.5).astype(np.uint8).reshape(h, len(idx) * w, 3)
        with torch.no_grad():
            frames = latent[0, :, idx].float()  # (C, k, H, W)
            factors, bias = self._weights(frames.device, frames.dtype)
            # (H, k, W, C) @ (C, 3) -> (H, k*W, 3): frames side by side in one matmul
            rgb = torch.addmm(bias, frames.permute(2, 1, 3, 0).reshape(-1, self.channels), factors)
            rgb = rgb.clamp_(-1, 1).add_(1).mul_(127.5).to(torch.uint8)
            return rgb.reshape(h, len(idx) * w, 3).cpu().numpy()

    def to_image(self, latent, min_height: int = MIN_PREVIEW_HEIGHT):  # -> PIL.Image.Image
        """The strip as a PIL image, scaled up by a whole factor (nearest) to `min_height`."""
        from PIL import Image

        image = Image.fromarray(self.to_array(latent))
        if image.height < min_height:
            scale = -(-min_height // image.height)
            image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
        return image


def clean_estimate(scheduler, latents, previous_latents, step_index: int):
    """The scheduler's current x0 estimate, or None where none can be had.

    UniPC / DPM-Solver with predict_x0 keep the converted model output (x0) in
    `model_outputs[-1]`. For flow-matching Euler, latents_{i+1} = x_i + (s_{i+1} - s_i) v,
    so v and x0 = x_i - s_i v follow from two consecutive latents."""
    outputs = getattr(scheduler, "model_outputs", None)
    if outputs and getattr(scheduler.config, "predict_x0", True) and outputs[-1] is not None:
        return outputs[-1]
    sigmas = getattr(scheduler, "sigmas", None)
    if previous_latents is not None and sigmas is not None and step_index + 1 < len(sigmas):
        s_i, s_next = float(sigmas[step_index]), float(sigmas[step_index + 1])
        if s_next != s_i:
            v = (latents - previous_latents) / (s_next - s_i)
            return previous_latents - s_i * v
    return None
