"""Test helpers: decode a file's audio with the bundled ffmpeg and measure band levels with numpy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from tests.studio.export import media

RATE = 48000


def decode(path: Path) -> np.ndarray:
    raw = subprocess.run([media.FF, "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a", "-ac", "1",
                          "-ar", str(RATE), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4")


def band_db(samples: np.ndarray, a_s: float, b_s: float, lo_hz: float, hi_hz: float) -> float:
    """Mean power (dB) in the band lo..hi Hz over the window a..b seconds."""
    seg = samples[int(a_s * RATE):int(b_s * RATE)]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    freqs = np.fft.rfftfreq(len(seg), 1 / RATE)
    band = spec[(freqs >= lo_hz) & (freqs <= hi_hz)]
    return float(10 * np.log10(band.sum() / len(seg) + 1e-20))


def tone(path: Path, freq: float, seconds: float) -> Path:
    media.ff("-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}:sample_rate=48000", "-c:a", "aac", "-b:a", "192k", str(path))
    return path
