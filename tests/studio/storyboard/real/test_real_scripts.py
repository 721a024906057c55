"""The storyboard on real scripts by other authors (scripts/, sources in manifest.json,
hand-checked ground truth in NAME.truth.json): every script gives a storyboard or one
clear sentence, and the scorer's figures do not fall below the floors.

The floors are what main's storyboard achieved when the corpus was built (see FLOORS);
the lead raises them when the `formats` branch lands, so that a later change cannot
quietly lose what it gained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.studio.storyboard.real import scorer

HERE = Path(__file__).parent
FORMATS = {"fountain", "fdx", "csv", "tsv", "xlsx", "json", "markdown-table", "markdown", "ad-script", "av-two-column", "mixed"}

# overall figure -> the least share allowed (hits / total). Issue 9's Done-when sets shots at
# 85 %, dialogue kept at 95 %, characters, durations and cameras at 90 %; speakers and settings
# sit just under what the readers reach today. Never lower them to make a change pass.
# Main before the readers: shots 3/53, dialogue 119/154, speakers 65/119, characters 27/48,
# settings 39/65, durations 33/226, cameras 40/110, leaked 23/154.
# With them (merge of branch formats): 53/53, 154/154, 131/154, 47/48, 48/65, 224/226, 110/110, 0 leaked.
FLOORS = {
    "shots": 0.85,
    "dialogue kept": 0.95,
    "speakers": 0.80,
    "characters": 0.90,
    "settings": 0.70,
    "durations": 0.90,
    "cameras": 0.90,
}
# dialogue lines found inside a visual prompt: none (issue 9: 0 lines inside a prompt).
LEAKED_CEILING = 0.0


@pytest.fixture(scope="module")
def scores() -> list[scorer.Score]:
    return scorer.score_corpus()


def test_the_manifest_lists_every_script_with_its_source_and_licence() -> None:
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    entries = manifest["scripts"]
    listed = {e["file"] for e in entries}
    on_disk = {p.name for p in (HERE / "scripts").iterdir() if not p.name.endswith(scorer.TRUTH_SUFFIX)}
    assert listed == on_disk
    assert len(entries) >= 45
    for entry in entries:
        assert entry["licence"] and entry["author"] and entry["excerpt"], entry["file"]
        assert entry.get("url") or (entry.get("repository") and entry.get("path") and len(entry.get("commit", "")) == 40), entry["file"]
        assert (HERE / "scripts" / (Path(entry["file"]).stem + scorer.TRUTH_SUFFIX)).is_file(), entry["file"]


def test_the_ground_truth_covers_every_format_and_both_languages() -> None:
    truths = [truth for _, truth in scorer.corpus()]
    assert FORMATS <= {t["format"] for t in truths}
    assert {"en", "zh", "mixed"} <= {t["language"] for t in truths}
    for truth in truths:
        assert truth["shots"] >= 1 and truth["unit"]
        for line in truth["dialogue"]:
            assert line["text"].strip() and "speaker" in line
        for camera in truth["cameras"]:
            assert camera["canonical"] in scorer.CAMERA_SYNONYMS, camera


def test_every_script_gives_a_storyboard_or_one_clear_sentence(scores: list[scorer.Score]) -> None:
    crashes = [f"{s.name}: {s.message}" for s in scores if s.outcome == "crash"]
    assert not crashes, crashes
    for s in scores:
        if s.outcome == "sentence":
            assert s.message.strip() and "\n" not in s.message and "Traceback" not in s.message, s.name


def test_the_figures_do_not_fall_below_their_floors(scores: list[scorer.Score]) -> None:
    overall = scorer.summarise(scores)["overall"]
    print("\n" + scorer.table(scorer.summarise(scores)))
    for key, floor in FLOORS.items():
        assert scorer.ratio(overall[key]) >= floor, f"{key}: {overall[key]} fell below {floor:.0%}"
    assert scorer.ratio(overall["leaked"]) <= LEAKED_CEILING, f"leaked: {overall['leaked']}"


# ---------------------------------------------------------------- the scorer itself
def test_the_scorer_reads_speech_from_old_and_new_shot_shapes() -> None:
    old = {"dialogue": [{"speaker": "STEEL", "text": "Beer's ready!"}], "subtitle": "Beer's ready!"}
    new = {"subtitles": [{"character": "旁白", "line": "城市醒来。"}, "Hello"]}
    bare = {"subtitle": "Only a subtitle."}
    kinded = {"dialogue": [{"speaker": "", "text": "城市醒来。", "kind": "voiceover"}]}
    assert scorer.speech_of(kinded) == [{"speaker": "VO", "text": "城市醒来。"}]
    assert scorer.speech_of(old) == [{"speaker": "STEEL", "text": "Beer's ready!"}]
    assert scorer.speech_of(new) == [{"speaker": "旁白", "text": "城市醒来。"}, {"speaker": "", "text": "Hello"}]
    assert scorer.speech_of(bare) == [{"speaker": "", "text": "Only a subtitle."}]


def test_a_line_counts_as_kept_only_in_speech_and_as_leaked_only_in_a_prompt() -> None:
    truth = {"format": "fountain", "shots": 2, "dialogue": [{"speaker": "VO", "text": "Know the numbers. Play on your terms."},
                                                            {"speaker": "SCOTT", "text": "Your neighbors thank you."}],
             "characters": [["SCOTT", "Scott"]], "settings": [], "cameras": [{"term": "CU", "canonical": "close-up"}],
             "durations": [3]}
    board = {"shots": [
        {"prompt": "A man at a desk", "subtitles": [{"speaker": "Narrator", "text": "Know the numbers —  play on your terms"}],
         "characters": ["Scott"], "camera": {"size": "close-up", "explicit": True}, "duration_s": 3.0},
        {"prompt": "Scott says your neighbors thank you, medium shot", "dialogue": [], "characters": [],
         "camera": {"size": "close-up", "explicit": False}, "duration_s": 2.0},
    ]}
    s = scorer.score(Path("x.fountain"), truth, scorer.Outcome(board=board))
    assert (s.kept, s.speakers_right, s.leaked) == (1, 1, 1)
    assert s.leaked_lines == ["Your neighbors thank you."]
    assert (s.characters_found, s.cameras_found, s.durations_found, s.shots_right) == (1, 1, 1, True)


def test_split_parts_of_one_beat_count_as_one_duration() -> None:
    shots = [{"duration_s": 5.0, "part": 1, "parts": 2}, {"duration_s": 3.0, "part": 2, "parts": 2}, {"duration_s": 2.0}]
    assert [b["duration_s"] for b in scorer.beats(shots)] == [8.0, 2.0]


def test_the_shot_count_tolerance_is_fifteen_percent_and_at_least_one() -> None:
    assert scorer.shots_within(9, 8) and not scorer.shots_within(10, 8)
    assert scorer.shots_within(23, 20) and not scorer.shots_within(24, 20)
    assert scorer.shots_within(2, 1) and not scorer.shots_within(3, 1)
