"""The prompt scorer (issue 12) and the Done-when figures on the storyboard corpora: the
scorer catches each fault it names, and the writer's prompts meet the thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.prompts.scorer import score_prompt, score_shots, summary
from studio.storyboard import build
from studio.storyboard.model import Shot

TESTS = Path(__file__).resolve().parent.parent
CORPUS = TESTS / "storyboard" / "corpus"
REAL = TESTS / "storyboard" / "real" / "scripts"  # the real-script corpus, once merged


def _shot(**kw) -> Shot:
    return Shot(index=1, text=kw.pop("text", "A woman walks."), **kw)


GOOD = ("Realistic cinematic video with natural colours. A woman walks along the river. The scene is set on a "
        "stone path. Soft golden sunrise light. Static camera, medium shot.")


def test_the_scorer_finds_all_six_parts_in_a_good_prompt() -> None:
    s = score_prompt(_shot(), GOOD, None)
    assert s.all_parts and not (s.markup or s.repeat or s.mixed or s.contradiction or s.over_budget)


@pytest.mark.parametrize("prompt,fault", [
    ("**A woman** walks | 00:03 | shot_01.mp4", "markup"),
    ("镜头1：女孩走进咖啡店", "markup"),
    (GOOD.replace("Static camera, medium shot", "Steady"), "camera"),
    (GOOD.replace("Soft golden sunrise light", "Quiet"), "lighting"),
    (GOOD.replace("Realistic cinematic video with natural colours", "Calm"), "style"),
    (GOOD.replace("A woman walks along the river", "She walks along the river"), "subject"),
])
def test_the_scorer_catches_each_fault(prompt: str, fault: str) -> None:
    s = score_prompt(_shot(), prompt, None)
    assert (s.markup if fault == "markup" else not s.parts[fault]), s


def test_the_scorer_catches_a_repeat_a_night_contradiction_mixed_language_and_the_budget() -> None:
    assert score_prompt(_shot(), GOOD, GOOD).repeat
    night = _shot(text="At night, a woman walks.", time_of_day="night")
    assert score_prompt(night, GOOD.replace("sunrise light", "daylight"), None).contradiction
    assert score_prompt(_shot(language="zh"), "写实画面，女孩在 beach 上奔跑，远景镜头。", None).mixed
    assert not score_prompt(_shot(language="zh"), "写实画面，女孩拿着 iPhone 拍照，远景镜头。", None).mixed
    assert score_prompt(_shot(), "word " * 600, None).over_budget


def _read(path: Path):
    """The script as the storyboard room reads files (any encoding) where it can, else UTF-8."""
    import studio.storyboard as sb

    reader = getattr(sb, "read_file", None)
    if reader:
        return reader(path)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _figures(folder: Path, style: str | None) -> dict:
    scores = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md", ".fountain")):
        scores += score_shots(build(_read(path), style=style).shots)
    return summary(scores)


def _assert_done(fig: dict) -> None:
    assert fig["median_en_words"] is None or fig["median_en_words"] >= 50, fig
    assert fig["median_zh_chars"] is None or fig["median_zh_chars"] >= 60, fig
    assert fig["all_six_parts_pct"] >= 95, fig
    assert fig["markup_pct"] <= 1, fig
    assert fig["repeats"] == 0 and fig["contradictions"] == 0, fig
    assert fig["over_512_tokens_estimate"] == 0, fig


@pytest.mark.parametrize("style", [None, "cinematic", "lifestyle"])
def test_done_when_on_the_corpus(style: str | None) -> None:
    fig = _figures(CORPUS, style)
    assert fig["prompts"] >= 100
    _assert_done(fig)


@pytest.mark.skipif(not REAL.is_dir(), reason="the real-script corpus (branch corpus) is not merged into this tree")
def test_done_when_on_the_real_scripts() -> None:
    _assert_done(_figures(REAL, None))
