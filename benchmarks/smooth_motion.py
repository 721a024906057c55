"""benchmarks: smooth motion (issue #11) against frame repetition, side by side.

Quality — PSNR on held-out frames: a 16 fps clip with motion (a slow pan over a detailed
still, and lavfi testsrc2) loses every other frame (8 fps), is brought back to 16 fps by
ffmpeg's `minterpolate` (the smooth-motion filter) and by frame repetition (`fps`, what
the export does without the option), and each rebuilt frame that was held out is compared
with the original. Higher is better; a judder proxy is also printed: the share of output
frames identical to the one before.

Cost — the export of a 5 s 832x480 16 fps clip to 720p at 30 fps through `render` with and
without `smooth_motion` (the same single ffmpeg pass), wall time, median of --runs.

Usage: python benchmarks/smooth_motion.py [--runs 2] [--seconds 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FF = imageio_ffmpeg.get_ffmpeg_exe()
W, H = 832, 480


def ff(*args: str) -> None:
    subprocess.run([FF, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_sources(folder: Path, seconds: float) -> dict[str, Path]:
    frames = int(seconds * 16)
    pan = folder / "pan.mp4"  # a camera pan: a detailed still, cropped at a moving x (3 px per frame)
    ff("-f", "lavfi", "-i", f"mandelbrot=s={W * 2}x{H}:end_pts=1:rate=1", "-frames:v", "1", str(folder / "still.png"))
    ff("-loop", "1", "-framerate", "16", "-i", str(folder / "still.png"), "-vf", f"crop={W}:{H}:x='3*n':y=0",
       "-frames:v", str(frames), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-crf", "12", str(pan))
    src2 = folder / "testsrc2.mp4"
    ff("-f", "lavfi", "-i", f"testsrc2=s={W}x{H}:r=16", "-frames:v", str(frames), "-pix_fmt", "yuv420p",
       "-c:v", "libx264", "-crf", "12", str(src2))
    return {"pan": pan, "testsrc2": src2}


def gray_frames(path: Path, vf: str | None = None) -> np.ndarray:
    cmd = [FF, "-v", "error", "-i", str(path)]
    if vf:
        cmd += ["-vf", vf]
    raw = subprocess.run([*cmd, "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W).astype(np.float64)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def held_out_quality(src: Path, folder: Path) -> dict[str, tuple[float, float]]:
    """(mean PSNR on the held-out frames, share of repeated frames) for each method."""
    from studio.export.compile import SMOOTH_FILTER

    original = gray_frames(src)
    half = folder / f"{src.stem}-8fps.mp4"
    ff("-i", str(src), "-vf", "select='not(mod(n\\,2))',setpts=N/8/TB", "-r", "8", "-pix_fmt", "yuv420p",
       "-c:v", "libx264", "-crf", "12", str(half))
    methods = {"repeat (fps)": "fps=16",
               "smooth (minterpolate)": "tpad=stop_mode=clone:stop=1," + SMOOTH_FILTER.format(rate=16)}
    out = {}
    for name, vf in methods.items():
        rebuilt = gray_frames(half, vf)
        n = min(len(rebuilt), len(original)) - 1
        held = [psnr(rebuilt[i], original[i]) for i in range(1, n, 2)]
        repeats = sum(float(np.abs(rebuilt[i + 1] - rebuilt[i]).mean()) < 0.5 for i in range(len(rebuilt) - 1))
        out[name] = (statistics.mean(held), repeats / max(1, len(rebuilt) - 1))
    return out


def export_cost(src: Path, folder: Path, runs: int) -> dict[str, float]:
    from studio.export.run import render
    from studio.timeline.model import Clip, Timeline

    times: dict[str, list[float]] = {"repeat": [], "smooth": []}
    for r in range(runs):
        for name in times:
            t0 = time.perf_counter()
            render(Timeline(clips=[Clip(str(src))], smooth_motion=name == "smooth"), folder / f"{name}{r}.mp4", preset="720p")
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ.setdefault("SHOTLINE_HOME", str(Path(tmp) / "home"))
        folder = Path(tmp)
        sources = make_sources(folder, args.seconds)
        print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, "
              f"ffmpeg {imageio_ffmpeg.get_ffmpeg_version()}")
        print("quality: drop every other frame of a 16 fps clip, rebuild to 16 fps, PSNR of the held-out frames")
        for name, src in sources.items():
            q = held_out_quality(src, folder)
            base = q["repeat (fps)"][0]
            for method, (db, rep) in q.items():
                print(f"  {name:9} {method:22} PSNR {db:6.2f} dB  ({db - base:+.2f} dB vs repeat)  repeated frames {rep:5.1%}")
        cost = export_cost(sources["pan"], folder, args.runs)
        print(f"cost: export of a {args.seconds:g} s {W}x{H} 16 fps clip to 720p30, median of {args.runs}")
        print(f"  repeat {cost['repeat']:6.2f} s   smooth {cost['smooth']:6.2f} s   ratio {cost['smooth'] / cost['repeat']:.2f}x")


if __name__ == "__main__":
    main()
