"""Test media made with ffmpeg's lavfi sources (testsrc2, sine) at the shapes of tiny-model
output (64x64, 16 fps, 9 frames) and of real Wan output (832x480, 16 fps)."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import imageio_ffmpeg

FF = imageio_ffmpeg.get_ffmpeg_exe()


def ff(*args: str) -> None:
    subprocess.run([FF, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def clip(path: Path, size: str = "64x64", rate: int = 16, frames: int = 9, seed: int = 0) -> Path:
    ff("-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate},hue=h={seed * 50}", "-frames:v", str(frames),
       "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(path))
    return path


def music(path: Path, seconds: float = 3.0) -> Path:
    ff("-f", "lavfi", "-i", f"sine=f=330:d={seconds}", "-c:a", "libmp3lame" if path.suffix == ".mp3" else "aac", str(path))
    return path


def logo(path: Path, colour: str = "red") -> Path:
    ff("-f", "lavfi", "-i", f"color=c={colour}:s=200x100", "-frames:v", "1", str(path))
    return path


def png_bomb(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A PNG whose header claims width x height (the pixels never arrive): a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def srt(path: Path, blocks: list[tuple[float, float, str]]) -> Path:
    def t(s: float) -> str:
        ms = round(s * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    path.write_text("\n".join(f"{i}\n{t(a)} --> {t(b)}\n{x}\n" for i, (a, b, x) in enumerate(blocks, 1)), encoding="utf-8")
    return path
