"""benchmarks: the reference cut (issue #5), side by side.

6 clips of 5 s at 832x480 16 fps (lavfi testsrc2 + grain), 5 crossfades of 0.5 s, a logo,
music with fades, 6 subtitle lines, the AI label, 720p H.264 at 30 fps. Measures:

  1. `shotline cut` end to end (CLI subprocess), and in-process its two parts:
     composition (render with provenance=False: the same single filtergraph, encoded directly)
     and the full export (frames piped through the watermark, label, C2PA, fingerprint);
  2. one hand-written ffmpeg command doing the same visible work;
  3. moviepy compositing the same cut (skip with --no-moviepy);
  4. peak RSS (Python + largest ffmpeg child) as the cut grows 10x: 10x longer clips, and
     10x more clips (--rss).

Usage: python benchmarks/export_cut.py [--runs 2] [--no-moviepy] [--rss]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FF = imageio_ffmpeg.get_ffmpeg_exe()
N, CLIP_S, XF = 6, 5.0, 0.5
SUBS = ["第一个镜头：清晨的城市", "A quiet street, early light", "咖啡馆里的相遇", "She smiles: \"hello\"", "夜幕降临", "The end — 完"]


def ff(*args: str) -> None:
    subprocess.run([FF, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_media(d: Path, n: int = N, clip_s: float = CLIP_S) -> dict:
    clips = []
    for i in range(n):
        p = d / f"clip{i}_{clip_s:g}.mp4"
        if not p.exists():
            ff("-f", "lavfi", "-i", f"testsrc2=s=832x480:r=16:d={clip_s},hue=h={i * 40},noise=alls=12:allf=t",
               "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", str(p))
        clips.append(p)
    return {"clips": clips, **make_aux(d, n * clip_s - (n - 1) * XF)}


def make_aux(d: Path, total: float) -> dict:
    """Music, logo and subtitles for a cut of `total` seconds."""
    music = d / f"music_{total:g}.m4a"
    if not music.exists():
        ff("-f", "lavfi", "-i", f"sine=f=220:d={total + 2}", "-f", "lavfi", "-i", f"sine=f=330:d={total + 2}",
           "-filter_complex", "amix=inputs=2", "-c:a", "aac", str(music))
    logo = d / "logo.png"
    if not logo.exists():
        ff("-f", "lavfi", "-i", "color=c=orange:s=300x120", "-frames:v", "1", str(logo))
    srt = d / f"subs_{total:g}.srt"
    step = total / len(SUBS)
    srt.write_text("\n".join(f"{k + 1}\n{ts(k * step + 0.2)} --> {ts((k + 1) * step - 0.2)}\n{t}\n" for k, t in enumerate(SUBS)),
                   encoding="utf-8")
    return {"music": music, "logo": logo, "srt": srt, "total": total}


def ts(s: float) -> str:
    ms = round(s * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def timeline_for(m: dict):  # noqa: ANN201
    from studio.export.subtitles import read_srt
    from studio.timeline import Clip, Logo, MusicTrack, Timeline, Transition

    return Timeline(clips=[Clip(str(c)) for c in m["clips"]], transitions=[Transition("crossfade", XF)] * (len(m["clips"]) - 1),
                    music=[MusicTrack(str(m["music"]), fade_in_s=1.0, fade_out_s=2.0)], logo=Logo(str(m["logo"])),
                    subtitles=read_srt(m["srt"]), model="bench")


def hand_written(m: dict, out: Path, work: Path) -> list[str]:
    """What an ffmpeg expert would type for the same visible result (ASS from the same text)."""
    from studio.export.compile import FONT_DIR
    from studio.export.subtitles import build_ass, read_srt
    from studio.timeline import Clip, Timeline

    ass = work / "hand.ass"
    tl = Timeline(clips=[Clip("x.mp4")])
    ass.write_text(build_ass(tl, 1280, 720, read_srt(m["srt"]), [], m["total"], "Noto Sans CJK SC"), encoding="utf-8")
    n = len(m["clips"])
    parts = [f"[{i}:v]fps=30,scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v{i}]"
             for i in range(n)]
    cur, offset = "v0", 0.0
    for i in range(1, n):
        offset += CLIP_S - XF
        parts.append(f"[{cur}][v{i}]xfade=transition=fade:duration={XF}:offset={offset}[x{i}]")
        cur = f"x{i}"
    parts.append(f"[{n}:v]scale=154:-2,format=rgba,colorchannelmixer=aa=0.9[lg];[{cur}][lg]overlay=main_w-overlay_w-24:24[ol]")
    parts.append(f"[ol]subtitles={ass}:fontsdir={FONT_DIR}[vout]")
    parts.append(f"[{n + 1}:a]atrim=duration={m['total']},afade=t=in:d=1,afade=t=out:st={m['total'] - 2}:d=2,"
                 "loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000[aout]")
    args = [FF, "-hide_banner", "-loglevel", "error", "-y"]
    for c in m["clips"]:
        args += ["-i", str(c)]
    args += ["-i", str(m["logo"]), "-i", str(m["music"]), "-filter_complex", ";".join(parts), "-map", "[vout]", "-map", "[aout]",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k",
             "-movflags", "+faststart", str(out)]
    return args


def moviepy_cut(m: dict, out: Path) -> None:
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip, VideoFileClip, afx, vfx

    from studio.export.compile import FONT_DIR
    from studio.export.subtitles import read_srt

    font = str(next(FONT_DIR.glob("*.otf")))
    clips, t = [], 0.0
    for i, c in enumerate(m["clips"]):
        v = VideoFileClip(str(c)).resized(height=720).with_start(t)
        if i:
            v = v.with_effects([vfx.CrossFadeIn(XF)])
        clips.append(v.with_position("center"))
        t += CLIP_S - XF
    layers = clips + [ImageClip(str(m["logo"])).resized(width=154).with_opacity(0.9).with_duration(m["total"]).with_position((1280 - 154 - 24, 24))]
    for s in read_srt(m["srt"]):
        layers.append(TextClip(font=font, text=s.text, font_size=32, color="white", stroke_color="black", stroke_width=2)
                      .with_start(s.start_s).with_end(s.end_s).with_position(("center", 640)))
    layers.append(TextClip(font=font, text="本视频由AI生成 · AI-generated", font_size=21, color="white", bg_color="black")
                  .with_duration(m["total"]).with_position((24, 24)))
    audio = AudioFileClip(str(m["music"])).subclipped(0, m["total"]).with_effects([afx.AudioFadeIn(1.0), afx.AudioFadeOut(2.0)])
    video = CompositeVideoClip(layers, size=(1280, 720), bg_color=(0, 0, 0)).with_duration(m["total"]).with_audio(audio)
    video.write_videofile(str(out), fps=30, codec="libx264", preset="veryfast", audio_codec="aac", logger=None,
                          ffmpeg_params=["-crf", "20"])


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[str, list[float]] = {}


def timed(fn, name: str = "") -> float:  # noqa: ANN001
    """Wall seconds of fn(); its CPU seconds (this process + children) go to CPU[name]."""
    t, c = time.perf_counter(), _cpu()
    fn()
    CPU.setdefault(name, []).append(_cpu() - c)
    return time.perf_counter() - t


def rss_child(m_json: str, provenance: str, out: str) -> None:
    """Run one render in this process and print peak RSS of self and of the largest child (MiB)."""
    from studio.export.run import render

    m = json.loads(m_json)
    m = {**m, "clips": [Path(c) for c in m["clips"]], "music": Path(m["music"]), "logo": Path(m["logo"]), "srt": Path(m["srt"])}
    render(timeline_for(m), out, provenance=provenance == "1")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"python_mib": round(me, 1), "ffmpeg_max_mib": round(kids, 1), "sum_mib": round(me + kids, 1)}), flush=True)


def rss_of(m: dict, out: Path) -> dict:
    payload = json.dumps({**{k: str(v) for k, v in m.items() if k != "clips"}, "clips": [str(c) for c in m["clips"]]})
    res = subprocess.run([sys.executable, __file__, "--rss-child", payload, "1", str(out)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--no-moviepy", action="store_true")
    ap.add_argument("--rss", action="store_true")
    ap.add_argument("--only-rss", action="store_true", help="skip the timings")
    ap.add_argument("--media-dir", help="reuse the clips made by an earlier run in this folder")
    ap.add_argument("--rss-child", nargs=3)
    a = ap.parse_args()
    if a.rss_child:
        rss_child(*a.rss_child)
        return
    from studio.export.run import render

    os.environ.setdefault("SHOTLINE_HOME", tempfile.mkdtemp(prefix="shotline-bench-home-"))
    d = Path(a.media_dir) if a.media_dir else Path(tempfile.mkdtemp(prefix="shotline-bench-"))
    m = make_media(d)
    print(f"reference cut: {N} clips x {CLIP_S:g} s 832x480@16 -> {m['total']:g} s 720p30 H.264; ffmpeg {FF}", flush=True)
    if not a.only_rss:
        render(timeline_for(m), d / "warm.mp4")  # first use creates the C2PA credentials
    res: dict[str, list[float]] = {"hand": [], "compose": [], "full": [], "cli": []}
    if a.only_rss:
        a.runs, a.no_moviepy, a.rss = 0, True, True
    for r in range(a.runs):
        res["hand"].append(timed(lambda: subprocess.run(hand_written(m, d / "hand.mp4", d), check=True), "hand"))
        res["compose"].append(timed(lambda: render(timeline_for(m), d / "compose.mp4", provenance=False), "compose"))
        res["full"].append(timed(lambda: render(timeline_for(m), d / "full.mp4"), "full"))
        srt, logo, music = m["srt"], m["logo"], m["music"]
        cli = [sys.executable, "-m", "studio.cli", "cut", *map(str, m["clips"]), "--transition", f"crossfade:{XF}", "--music", str(music),
               "--logo", str(logo), "--subtitles", str(srt), "--out", str(d / "cli.mp4"), "--quiet", "--model", "bench"]
        res["cli"].append(timed(lambda cli=cli: subprocess.run(cli, check=True, cwd=ROOT, stdout=subprocess.DEVNULL), "cli"))
        print(f"run {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s wall / {CPU[k][-1]:.2f} s cpu" for k, v in res.items()), flush=True)
    if a.runs:
        report(res, a, m, d)
    if a.rss:
        rss_report(m, d)


def report(res: dict, a: argparse.Namespace, m: dict, d: Path) -> None:
    med = {k: statistics.median(v) for k, v in res.items()}
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print(f"CPU seconds (median): hand {cpu['hand']:.2f}, composition {cpu['compose']:.2f} ({cpu['compose'] / cpu['hand']:.2f}x), "
          f"full {cpu['full']:.2f} (+{100 * (cpu['full'] / cpu['compose'] - 1):.0f}%), cli {cpu['cli']:.2f} ({cpu['cli'] / cpu['hand']:.2f}x)", flush=True)
    print(f"hand-written ffmpeg     {med['hand']:.2f} s", flush=True)
    print(f"composition (in-proc)   {med['compose']:.2f} s   ratio {med['compose'] / med['hand']:.2f}x  (goal <= 1.15x)", flush=True)
    print(f"full export (in-proc)   {med['full']:.2f} s   provenance adds {100 * (med['full'] / med['compose'] - 1):.0f}%  (goal <= +25%)", flush=True)
    print(f"shotline cut (CLI)      {med['cli']:.2f} s   ratio {med['cli'] / med['hand']:.2f}x  (goal <= 1.45x)", flush=True)
    if not a.no_moviepy:
        mp = timed(lambda: moviepy_cut(m, d / "moviepy.mp4"), "moviepy")
        print(f"moviepy compositing     {mp:.2f} s wall, {CPU['moviepy'][-1]:.2f} s cpu   shotline cut is {mp / med['cli']:.1f}x faster "
              f"(wall), {CPU['moviepy'][-1] / cpu['cli']:.1f}x (cpu)  (goal >= 4x)", flush=True)


def rss_report(m: dict, d: Path) -> None:
    base = rss_of(m, d / "rss1.mp4")
    long_clips = make_media(d, N, CLIP_S * 10)
    many_clips = {"clips": m["clips"] * 10, **make_aux(d, 10 * N * CLIP_S - (10 * N - 1) * XF)}  # the same 6 files, 10 times
    grown_long = rss_of(long_clips, d / "rss10a.mp4")
    grown_many = rss_of(many_clips, d / "rss10b.mp4")
    print(f"peak RSS reference      {base}", flush=True)
    print(f"peak RSS 10x longer     {grown_long}  ratio {grown_long['sum_mib'] / base['sum_mib']:.2f}x (goal < 1.5x)", flush=True)
    print(f"peak RSS 10x more clips {grown_many}  ratio {grown_many['sum_mib'] / base['sum_mib']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
