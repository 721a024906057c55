"""Prompt composition: the Wan formula, character cards in every shot, the token budget."""

from __future__ import annotations

import pytest

import engine
from engine.models import get_card
from studio.prompts import tokens
from studio.prompts.characters import CharacterCard, load_cards
from studio.prompts.compose import compose_shot
from studio.prompts.tokens import estimate_tokens, token_counter
from studio.storyboard import build, split

LI = CharacterCard("李明", "二十五岁的男生，短发，白衬衫", ("小明",))


def test_prompt_follows_wan_order_style_subject_action_setting_light_camera_size() -> None:
    # issue 12: Wan's own prompt-extension examples put the style first and the shot size last
    shot = build("INT. KITCHEN - NIGHT\n\nA woman pours tea.", style="cinematic").shots[0]
    p = shot.prompt.lower()
    assert p.index("cinematic") < p.index("a woman pours tea") < p.index("kitchen") < p.index("night scene") \
        < p.index("camera") < p.index("shot,")
    assert shot.negative_prompt.startswith(get_card("wan2.1-t2v-1.3b").negative_prompt)


def test_style_fragments_follow_the_shot_language() -> None:
    zh = build("女孩在海边奔跑。", style="anime").shots[0]
    en = build("A girl runs on the beach.", style="anime").shots[0]
    assert "日系动漫风格" in zh.prompt and "anime style" in en.prompt.lower()  # first, so capitalised


def test_character_appearance_goes_wherever_the_character_appears() -> None:
    board = build("李明走进咖啡馆。\n他点了一杯拿铁。\n小明：谢谢！\n窗外下着雨。", characters=[LI])
    with_li = [s for s in board.shots if s.characters == ["李明"]]
    assert len(with_li) == 3  # by name, by pronoun, by alias as the speaker
    for shot in with_li:
        assert LI.appearance in shot.prompt
    assert LI.appearance not in board.shots[3].prompt


def test_character_cards_from_json_and_yaml(tmp_path) -> None:
    (tmp_path / "a.json").write_text('{"characters": [{"name": "Anna", "aliases": ["Annie"], '
                                     '"appearance": "red curly hair, green coat"}]}', encoding="utf-8")
    (tmp_path / "face.png").write_bytes(b"\x89PNG")
    (tmp_path / "b.yaml").write_text("- name: 李明\n  aliases: [小明]\n  appearance: 短发\n  reference_image: face.png\n",
                                     encoding="utf-8")
    assert load_cards(tmp_path / "a.json")[0].aliases == ("Annie",)
    card = load_cards(tmp_path / "b.yaml")[0]
    assert card.name == "李明" and card.reference_image.endswith("face.png")


@pytest.mark.parametrize("text,message", [
    ('{"characters": [{"name": "A"}]}', "characters\\[0\\]: key 'appearance'"),
    ('{"characters": [{"name": "A", "appearance": "x", "age": 3}]}', "unknown key"),
    ('{"characters": [{"name": "A", "appearance": "x"}, {"name": "B", "aliases": ["A"], "appearance": "y"}]}',
     "already used by 'A'"),
    ('{"characters": [{"name": "A", "appearance": "x", "reference_image": "nope.png"}]}', "does not exist"),
    ("[1", "not valid JSON"),
])
def test_bad_character_files_name_the_file_and_key(tmp_path, text: str, message: str) -> None:
    (tmp_path / "cast.json").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_cards(tmp_path / "cast.json")


def test_estimate_counts_cjk_as_one_and_english_words_high() -> None:
    assert estimate_tokens("女人走过小巷") == 7  # 6 characters + the end token
    assert estimate_tokens("a woman walks") >= 4
    assert estimate_tokens("x" * 60) > estimate_tokens("x" * 6)


def test_long_prompts_are_trimmed_to_the_budget_with_a_warning() -> None:
    script = "镜头1（4秒）：" + "，".join(["一个女孩在开满鲜花的山坡上奔跑"] * 60)
    shot = build(script, style="cinematic").shots[0]
    count, _ = token_counter("wan2.1-t2v-1.3b")
    assert count(shot.prompt) <= 512
    assert any("512-token budget" in w for w in shot.warnings)
    assert shot.prompt.startswith("一个女孩")  # the subject is what survives


def test_missing_weights_are_never_built_just_to_count_tokens(tmp_path, monkeypatch) -> None:
    # an empty models cache of its own: the session's shared one may already hold tiny
    monkeypatch.setenv("SHOTLINE_MODELS_DIR", str(tmp_path / "models"))
    token_counter.cache_clear()
    try:
        count, exact = token_counter("tiny")
        assert not exact and count is estimate_tokens
        assert not any(tmp_path.rglob("model_index.json"))
    finally:
        token_counter.cache_clear()


@pytest.mark.slow  # builds the tiny model (~20 s on this machine)
def test_the_real_tiny_tokenizer_counts_when_its_weights_are_local() -> None:
    if engine.weights_status("tiny") != "local":
        engine.resolve_weights("tiny")  # the tiny model is built locally in this test's SHOTLINE_HOME
    token_counter.cache_clear()
    try:
        count, exact = token_counter("tiny")
        assert exact
        shot = build("镜头1（2秒）：" + "，".join(["女孩在开满鲜花的山坡上奔跑"] * 40), model="tiny").shots[0]
        assert count(shot.prompt) <= 512 and "tokenizer" in shot.warnings[-1]
    finally:
        token_counter.cache_clear()


def test_the_model_tokenizer_is_used_when_the_engine_gives_one(monkeypatch) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    # a real (tiny, word-level) tokenizer: every character is one token
    raw = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]")
    monkeypatch.setattr(engine, "load_tokenizer", lambda model: tok, raising=False)
    monkeypatch.setattr(engine, "weights_status", lambda model: "local", raising=False)
    token_counter.cache_clear()
    try:
        count, exact = tokens.token_counter("tiny")
        assert exact and count("abcdef") == 6
        shot = split("镜头1（2秒）：" + "女" * 700, model="tiny").shots[0]
        compose_shot(shot, "tiny")
        assert count(shot.prompt) <= 512 and "tokenizer" in shot.warnings[-1]
    finally:
        token_counter.cache_clear()
