"""The issue's Done-when, end to end through the CLI: `shotline cut` on 6 clips made by the
engine's tiny model with music, a logo and a Chinese SRT -> a 720p MP4 whose frames show the subtitles,
the logo and the label; `shotline verify` finds a valid C2PA manifest and the watermark id,
also after a re-encode at CRF 28; the .otio round-trips."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from studio.cli import main
from studio.export.probe import probe
from studio.timeline.otio import read_otio, to_otio
from tests.studio.export import media

pytestmark = pytest.mark.slow

GLYPHS = "你好世界欢迎"  # in the shipped GB2312 subset
OTHER = "再见朋友明天"
MISSING = "龘龘龘龘龘龘"  # outside the shipped subset: what text without a font looks like (no glyph drawn)


def frame_at(path: Path, t: float) -> np.ndarray:
    raw = subprocess.run([media.FF, "-v", "error", "-ss", f"{t}", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(720, 1280, 3).astype(np.int16)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import torch

    from engine import GenerationRequest, generate

    torch.set_num_threads(2)
    d = tmp_path_factory.mktemp("cut-media")
    prompts = ["a red car drives through a city", "a cat on a table", "a boat on the ocean at night",
               "a coffee cup in a studio", "a robot walks in the rain", "a bird flies over a mountain"]
    clips = []
    for i, prompt in enumerate(prompts):
        result = generate(GenerationRequest(prompt=prompt, model="tiny", seed=i, output_path=str(d / f"tiny{i}.mp4")))
        clips.append(Path(result.video_path))
    subs = media.srt(d / "zh.srt", [(0.1, 0.7, GLYPHS), (0.8, 1.5, OTHER), (1.6, 2.3, MISSING)])
    return {"clips": clips, "music": media.music(d / "music.mp3"), "logo": media.logo(d / "logo.png"), "srt": subs, "dir": d}


def cut(inputs: dict, out: Path, *extra: str) -> None:
    argv = ["cut", *map(str, inputs["clips"]), "--transition", "crossfade:0.2", "--out", str(out), "--quiet", "--model", "tiny", *extra]
    assert main(argv) == 0


def test_cut_shows_subtitles_logo_label_and_verifies(inputs: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "final" / "cut.mp4"
    cut(inputs, out, "--music", str(inputs["music"]), "--logo", str(inputs["logo"]), "--subtitles", str(inputs["srt"]),
        "--otio", str(tmp_path / "final" / "cut.otio"), "--save-timeline", str(tmp_path / "final" / "cut.json"))
    plain = tmp_path / "plain" / "cut.mp4"
    cut(inputs, plain, "--label-position", "bottom-right")
    info = probe(out)
    assert (info.width, info.height, info.fps, info.has_audio) == (1280, 720, 30.0, True)
    assert info.duration_s == pytest.approx(6 * 9 / 16 - 5 * 0.2, abs=0.1)
    assert sorted(p.name for p in out.parent.iterdir()) == ["cut.jpg", "cut.json", "cut.mp4", "cut.otio", "cut.srt"]

    def ink(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # where the two renders differ
        return np.abs(a - b).sum(axis=2) > 120

    sub_box = (slice(600, 700), slice(300, 980))
    crops = {}
    for name, t in (("glyphs", 0.4), ("other", 1.15), ("missing", 1.95)):
        with_text, without = frame_at(out, t), frame_at(plain, t)
        mask = ink(with_text, without)
        crops[name] = mask[sub_box]
        logo = with_text[24:60, 1120:1240]
        assert logo[..., 0].mean() > 180 and logo[..., 1].mean() < 80, "the red logo is not in the top-right corner"
        label = ink(with_text, without)[0:60, 0:400]
        assert label.sum() > 300, "the AI label is not in the top-left corner"
    # Real glyphs differ from one string to another; tofu boxes of the same count would not.
    def differ(a: str, b: str) -> float:
        return float((crops[a] ^ crops[b]).sum() / max(1, (crops[a] | crops[b]).sum()))
    assert crops["glyphs"].sum() > 1500 and crops["other"].sum() > 1500, "no subtitle ink"
    assert crops["missing"].sum() < crops["glyphs"].sum() / 5, "characters the font lacks should not draw like real ones"
    assert differ("glyphs", "other") > 0.1, "two different Chinese lines drew the same shapes (boxes?)"

    capsys.readouterr()
    assert main(["verify", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["c2pa"]["valid"] and report["c2pa"]["source_type"].endswith("trainedAlgorithmicMedia")
    cid = report["c2pa"]["content_id"]
    assert report["label"]["content_id"] == cid and report["label"]["ai_generated"] == "true"
    assert report["watermark"]["content_id"] == cid
    assert report["library_match"]["content_id"] == cid

    copy = tmp_path / "copy.mp4"
    media.ff("-i", str(out), "-c:v", "libx264", "-crf", "28", "-c:a", "aac", str(copy))
    from studio.provenance.verify import verify

    again = verify(copy)
    assert not again.c2pa["present"]  # a re-encode drops the manifest ...
    assert again.watermark["content_id"] == cid  # ... but the watermark survives
    assert again.watermark["decode_rate"] >= 0.5
    assert again.library_match and again.library_match["content_id"] == cid
    assert main(["verify", str(copy)]) == 0
    assert f"watermark: content id {cid}" in capsys.readouterr().out

    # The .otio round-trips: read back, it writes the same OTIO document and renders.
    back = read_otio(tmp_path / "final" / "cut.otio")
    assert [c.source for c in back.clips] == [str(c.resolve()) for c in inputs["clips"]]
    assert [t.to_dict() for t in back.transitions] == [{"kind": "crossfade", "duration_s": 0.2}] * 5
    assert [s.text for s in back.subtitles] == [GLYPHS, OTHER, MISSING]
    assert back.logo and back.music and back.model == "tiny"
    lengths = [c.out_s - c.in_s for c in back.clips]
    assert to_otio(back, lengths).to_json_string() == to_otio(read_otio(tmp_path / "final" / "cut.otio"), lengths).to_json_string()
