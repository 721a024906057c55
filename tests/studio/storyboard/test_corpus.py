"""The corpus: each script in corpus/ with its expected shot count and fields in the JSON
beside it (Chinese, English, mixed; ad copy, narrative, screenplay, lists, Markdown)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.models import get_card
from studio.storyboard import DEFAULT_MODEL, build

CORPUS = Path(__file__).parent / "corpus"
SCRIPTS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))
REQUIRED = {"index", "text", "subject", "action", "setting", "camera", "characters", "dialogue", "duration_s",
            "prompt", "negative_prompt", "time_of_day", "lighting", "mood", "style", "seed", "num_frames",
            "warnings", "safety"}


def test_the_corpus_has_at_least_30_scripts_in_both_languages() -> None:
    assert len(SCRIPTS) >= 30
    names = " ".join(p.name for p in SCRIPTS)
    assert "_zh_" in names and "_en_" in names and "_mixed_" in names


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_corpus_script(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    board = build(path.read_text(encoding="utf-8"), style="cinematic")
    data = board.to_dict()
    assert len(data["shots"]) == expected["shot_count"]
    card = get_card(DEFAULT_MODEL)
    for shot, want in zip(data["shots"], expected["shots"], strict=True):
        assert REQUIRED <= set(shot)
        assert shot["prompt"] and shot["negative_prompt"].startswith(card.negative_prompt)
        assert shot["duration_s"] > 0 and (shot["num_frames"] - 1) % 4 == 0  # a long shot stays one shot
        assert shot["safety"]["blocked"] is False
        for key, value in want.items():
            got = {"camera_size": shot["camera"]["size"], "camera_movement": shot["camera"]["movement"]}.get(key, shot.get(key))
            assert got == value, f"shot {want['index']} {key}: {got!r} != {value!r}"
