"""The safety policy: ordinary marketing copy passes untouched; bad prompts are blocked
with the right category; a company adds its own terms with a file."""

from __future__ import annotations

import json

import pytest

from studio.prompts.presets import PresetError
from studio.safety.policy import default_policy, load_policy, policy_folders

ORDINARY = [
    "Killer deals this weekend only!", "Our new blender is a killer app for your kitchen.",
    "Shoot a video of your morning routine and win a prize.", "Behind the scenes of our summer photo shoot.",
    "Paris landmark photo tour at golden hour.", "Nude lipstick in five shades for every skin tone.",
    "Kills 99.9% of germs in seconds.", "Dressed to kill in our new autumn collection.",
    "The naked eye can't see the difference.", "Watch killer whales jump off the coast.",
    "A blast of flavour in every bite.", "Our sale is a bomb-proof bargain.", "Shot on iPhone at the beach.",
    "The crowd goes wild at the stadium.", "A chef cuts fresh salmon with a sharp knife.",
    "Bloody Mary brunch every Sunday.", "Execute your strategy with confidence.",
    "秒杀！限时抢购，全场五折。", "血腥玛丽鸡尾酒，周末特价。", "裸色口红，自然好气色。", "裸妆也能很精致。",
    "爆款来袭，抢到就是赚到！", "杀青啦！感谢剧组的每一位伙伴。", "拍一段视频记录你的早晨。", "巴黎地标打卡照片。",
    "射手座的你，本周运势大吉。", "这款面霜，秒杀所有竞品。", "打工人的早餐，必须有咖啡。", "双十一狂欢，价格砍到底。",
    "夕阳下，穿旗袍的女人撑着油纸伞走过青石板巷。",
]
BAD = [
    ("A man stabs a stranger in the alley.", "violence", "stabs"), ("Bodies and gore everywhere.", "violence", "gore"),
    ("She poses naked on the bed.", "sexual", "naked"), ("An explicit sex scene.", "sexual", "explicit sex"),
    ("Soldiers wave a swastika flag.", "hate", "swastika"), ("NSFW content please", "sexual", "nsfw"),
    ("一个男人持刀杀人。", "violence", "杀人"), ("画面血腥，鲜血淋漓。", "violence", "血腥"),
    ("裸体的女人躺在床上。", "sexual", "裸体"), ("宣扬种族灭绝的海报。", "hate", "种族灭绝"),
    ("Ｋｉｌｌ the guard", "violence", "kill"),
]


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_marketing_copy_is_not_flagged(line: str) -> None:
    result = default_policy().check(line)
    assert not result.flagged, result.message


@pytest.mark.parametrize("line,category,term", BAD)
def test_bad_prompts_are_blocked_with_category_and_term(line: str, category: str, term: str) -> None:
    result = default_policy().check(line)
    assert result.blocked and result.category == category and result.term == term
    assert term in result.message and result.message.count("。") + result.message.count(". ") <= 1


def test_module_level_check_is_the_default_policy() -> None:
    from studio.safety import check

    assert check("A man stabs a stranger.").category == "violence" and not check("A sunny beach.").flagged


def test_sensitive_landmarks_warn_but_do_not_block() -> None:
    result = default_policy().check("天安门广场航拍，清晨。")
    assert result.flagged and not result.blocked and result.category == "sensitive_landmarks"
    assert default_policy().check("The Eiffel Tower at night from the river.").category == "sensitive_landmarks"


def test_a_company_adds_brand_terms_with_a_file(shotline_home) -> None:
    folder = shotline_home / "safety"
    folder.mkdir()
    (folder / "acme-brand.json").write_text(json.dumps({
        "category": "brand", "name": {"en": "brand safety", "zh": "品牌安全"}, "action": "block",
        "terms": {"en": ["rivalcola"], "zh": ["竞品可乐"]}}), encoding="utf-8")
    policy = load_policy(policy_folders())
    assert policy.check("Friends drink RivalCola at the beach.").category == "brand"
    assert policy.check("朋友们喝着竞品可乐。").blocked
    assert not policy.check("Friends drink lemonade at the beach.").flagged


@pytest.mark.parametrize("data,message", [
    ({"category": "x", "name": {"en": "a", "zh": "b"}, "action": "ban", "terms": {"en": ["a"]}}, "key 'action' is 'ban'"),
    ({"category": "x", "name": {"en": "a", "zh": "b"}, "action": "block", "terms": {"zh": ["杀"]}}, "two characters"),
    ({"category": "x", "name": {"en": "a", "zh": "b"}, "action": "block", "terms": {}}, "no terms"),
    ({"category": "X Y", "name": {"en": "a", "zh": "b"}, "action": "block", "terms": {"en": ["a"]}}, "key 'category'"),
    ({"name": {"en": "a", "zh": "b"}, "action": "block", "terms": {"en": ["a"]}}, "key 'category' is missing"),
])
def test_bad_policy_files_name_file_and_key(tmp_path, data: dict, message: str) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PresetError, match="bad.json: .*" + message):
        load_policy([tmp_path])


def test_blocked_shots_carry_the_result_in_the_storyboard() -> None:
    from studio.storyboard import build

    board = build("A man stabs a stranger.\n\nA girl smiles at the camera.")
    assert board.shots[0].safety["blocked"] and board.shots[0].warnings
    assert not board.shots[1].safety["flagged"]
