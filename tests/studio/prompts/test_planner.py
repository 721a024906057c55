"""The language-model writer, studio side (issue 12): cards as data with their licences,
answers validated against the schema, invalid answers falling back to the rule-based
prompt with a warning, valid ones kept beside the rule-based prompt, and a plan turned
into a storyboard. The run through the real queue is in tests/studio/jobs/test_plan_jobs.py."""

from __future__ import annotations

import json

import pytest

from engine.models import CardError
from engine.text import get_text_card, list_text_cards
from engine.text.cards import parse_text_card
from shotline.data import preset_path
from studio.prompts.planner import (
    Plan,
    Rewrite,
    apply_rewrites,
    board_from_plan,
    needs_planner,
    parse_json,
    rewrite_messages,
)
from studio.storyboard import build


def test_language_model_cards_are_data_with_their_licences() -> None:
    ids = [c.id for c in list_text_cards()]
    assert ids[0] == "tiny-planner" and {"qwen2.5-3b-instruct", "qwen2.5-7b-instruct", "qwen3-4b-instruct-2507"} <= set(ids)
    assert "Research" in get_text_card("qwen2.5-3b-instruct").licence  # non-commercial
    assert get_text_card("qwen2.5-7b-instruct").licence == "Apache-2.0"
    assert get_text_card("qwen3-4b-instruct-2507").licence == "Apache-2.0"
    assert get_text_card("tiny-planner").is_local_only and get_text_card("tiny-planner").architecture == "Qwen2ForCausalLM"
    with pytest.raises(ValueError, match="language model 'gpt-9' is not accepted"):
        get_text_card("gpt-9")


def test_a_bad_card_names_the_file_and_key(tmp_path) -> None:
    data = json.loads((preset_path("language-models") / "tiny-planner.json").read_text())
    data["architecture"] = "LlamaForCausalLM"
    (tmp_path / "tiny-planner.json").write_text(json.dumps(data))
    with pytest.raises(CardError, match="tiny-planner.json: key 'architecture'"):
        parse_text_card(tmp_path / "tiny-planner.json")


def test_rewrite_messages_carry_wans_instructions_and_the_fields_not_the_spoken_words() -> None:
    shot = build("李明走进教室。\n李明：早上好，今天真冷！").shots[1]
    system, user = rewrite_messages(shot)
    assert "Prompt优化师" in system["content"] and "80-100" in system["content"] and '{"prompt"' in system["content"]
    fields = json.loads(user["content"])
    assert fields["speaks"] is True and "今天真冷" not in user["content"] and fields["rule_prompt"]


@pytest.mark.parametrize("answer,why", [
    ("\n\n\n\n", "no JSON object"),
    ('{"prompt": "a', "not valid JSON"),
    ('{"text": "A woman walks."}', "does not fit the schema"),
    ('{"prompt": "short"}', "does not fit the schema"),
])
def test_garbage_answers_are_rejected_with_a_reason(answer: str, why: str) -> None:
    parsed, reason = parse_json(answer, Rewrite)
    assert parsed is None and why in reason


def test_invalid_rewrites_fall_back_visibly_and_valid_ones_keep_the_rule_prompt_beside() -> None:
    board = build("A woman walks along the river at dawn.\nShe stops and looks at the water.")
    rules = [s.prompt for s in board.shots]
    good = ("Documentary photography style. A young woman in a long grey coat walks slowly along a quiet river path "
            "at dawn, her hands in her pockets and her breath visible in the cold air. Mist drifts over the water "
            "and reeds sway at the edge. Soft golden sunrise light from the left, long gentle shadows. Camera follows "
            "her from the side, medium shot.")
    apply_rewrites(board, [json.dumps({"prompt": good}), "!!!!"], "tiny-planner")
    first, second = board.shots
    assert first.prompt == good and first.rule_prompt == rules[0] and first.prompt_source == "planner:tiny-planner"
    assert second.prompt == rules[1] == second.rule_prompt and second.prompt_source == "rules"
    assert "gave no usable prompt" in second.warnings[-1] and "rule-based prompt is kept" in second.warnings[-1]


@pytest.mark.parametrize("bad,why", [
    ("**Shot 1** | 00:03 | A woman walks along the river at dawn in a long grey coat, mist over the water, soft light, "
     "camera follows her, medium shot, documentary photography style, quiet morning, reeds sway.", "markup"),
    ("电影质感，一位年轻女子在清晨的河边散步，薄雾笼罩水面，芦苇轻轻摇曳，柔和的金色晨光从左侧照来，镜头跟随她，中景镜头。"
     "她穿着灰色长外套，双手插在口袋里，呼吸在冷空气中清晰可见，画面宁静自然。", "language"),
])
def test_a_rewrite_that_breaks_the_formula_rules_is_not_used(bad: str, why: str) -> None:
    board = build("A woman walks along the river at dawn.")
    apply_rewrites(board, [json.dumps({"prompt": bad})], "tiny-planner")
    assert board.shots[0].prompt_source == "rules" and why in board.shots[0].warnings[-1]


def test_a_plan_becomes_a_storyboard_of_its_shots() -> None:
    plan, why = parse_json(json.dumps({"title": "Dawn", "shots": [
        {"text": "A fisherman rows out at dawn.", "time_of_day": "dawn", "camera_size": "wide"},
        {"text": "He pulls in the net.", "characters": [], "dialogue": [{"speaker": "Old man", "text": "A good day."}],
         "duration_s": 3}]}), Plan)
    assert why == ""
    board = board_from_plan(plan, "wan2.1-t2v-1.3b", "en")
    assert [s.camera.size for s in board.shots] == ["wide", "medium"] and board.shots[0].lighting
    assert board.shots[1].subtitle == "A good day." and board.shots[1].duration_s == 3
    bad, why = parse_json('{"shots": [{"text": "x", "camera_size": "giant"}]}', Plan)
    assert bad is None and "camera_size" in why


def test_a_free_form_script_the_rules_cannot_split_asks_for_the_planner() -> None:
    text = ("so basically the ad opens on our hero product and then we kind of see people using it around town and "
            "there's a moment where a kid laughs and the mum is relieved and by the end everyone is happy with it and "
            "we close on the logo with some upbeat music playing the whole way through")
    assert needs_planner(build(text), text)
    script = "A woman walks.\nA dog runs."
    assert not needs_planner(build(script), script)
