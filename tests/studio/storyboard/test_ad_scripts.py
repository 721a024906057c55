"""Issue 9: the ad and short-video habits, speech kept as speech, people, camera words,
and safety on speech, each read the way a storyboard artist would."""

from __future__ import annotations

import pytest

from studio.storyboard import build, split

MODEL = "wan2.1-t2v-1.3b"


def lines(board) -> list[tuple[str, str]]:
    return [(d["speaker"], d["text"]) for s in board.shots for d in s.dialogue]


def test_numbered_chinese_ad_with_bracketed_attributes() -> None:
    script = ("春日咖啡 · 30秒广告\n镜头1（远景，航拍，4秒）：清晨的城市，阳光洒在高楼上。\n"
              "镜头2（特写，推镜头，3秒）：咖啡师把拿铁递给林悦，林悦笑着说：“谢谢，闻起来好香。”\n"
              "镜头3（中景，跟拍，5秒）：她端着咖啡走出店门。\n旁白：春日咖啡，唤醒每一天。\n")
    board = build(script, model=MODEL, style="cinematic")
    assert board.title == "春日咖啡 · 30秒广告" and len(board.shots) == 3
    assert [s.duration_s for s in board.shots] == [4.0, 3.0, 5.0] and all(s.explicit_duration for s in board.shots)
    assert [s.camera.named for s in board.shots] == [["wide", "aerial"], ["close-up", "push-in"], ["medium", "tracking"]]
    assert lines(board) == [("林悦", "谢谢，闻起来好香。"), ("", "春日咖啡，唤醒每一天。")]
    third = board.shots[2]
    assert third.text.startswith("林悦端着咖啡") and third.characters == ["林悦"]  # 她 carried to the last named
    for shot in board.shots:
        for d in shot.dialogue:
            assert d["text"] not in shot.prompt


def test_english_numbered_shot_list_keeps_words_whole_and_cameras_are_not_speakers() -> None:
    script = ("Shot 1 (wide, 3s): A lighthouse on a cliff at dawn.\nShot 2 (close-up, 2s): Waves break on the rocks.\n"
              "Shot 3 (tracking shot, 4s): Tracking shot: the keeper climbs the stairs, pulling back to reveal the lamp.\n"
              "VO: Some lights never go out.\n")
    board = split(script, model=MODEL)
    assert [s.text for s in board.shots][:2] == ["A lighthouse on a cliff at dawn.", "Waves break on the rocks."]
    assert len(board.shots) == 3 and [s.duration_s for s in board.shots] == [3.0, 2.0, 4.0]
    assert board.shots[2].camera.named[:2] == ["tracking", "pull-out"]
    assert lines(board) == [("", "Some lights never go out.")]


@pytest.mark.parametrize("script,count,durations", [
    ("**场景**: 清晨的厨房\n**画面**: 妈妈打开冰箱，拿出牛奶。\n**旁白**: 每天一杯好牛奶。\n\n"
     "**场景**: 餐桌\n**画面**: 孩子一口气喝完。\n**时长**: 3秒\n", 2, [None, 3.0]),
    ("【镜头】特写\n【动作】咖啡豆落入研磨机。\n【音乐】轻快的钢琴\n\n【镜头】远景\n【动作】咖啡馆外，人来人往。\n", 2, [None, None]),
    ("### 镜头1\n- **画面**: 女孩推开窗户\n- **台词**: 女孩：早上好！\n- **时长**: 2秒\n\n"
     "### 镜头2\n- **画面**: 阳光照进房间\n- **时长**: 3秒\n", 2, [2.0, 3.0]),
    ("[00:00-00:05] 城市夜景，霓虹闪烁。\n[00:05-00:08] 男孩在雨中奔跑。\n[00:08-00:15] 他停在便利店门口。\n", 3,
     [5.0, 3.0, 7.0]),
    ("(0-15秒) 开场：产品旋转展示。\n(15-30秒) 结尾：品牌标志出现。\n", 2, [15.0, 15.0]),
    ("0-5 seconds: a runner ties her shoes.\n5-10 seconds: she sprints up the stairs.\n", 2, [5.0, 5.0]),
    ("1. Intro (1m): the host greets the audience.\n2. Demo (2m): the app in use.\n", 2, [60.0, 120.0]),
    ("| VIDEO | AUDIO |\n|---|---|\n| CU: Mom pours cereal. | SFX: Cereal pouring. MOM: Who wants breakfast? |\n"
     "| Kids raise hands. | KIDS: Me! Me! |\n", 2, [None, None]),
])
def test_ad_script_habits_give_one_shot_per_shot(script: str, count: int, durations: list) -> None:
    board = split(script, model=MODEL)
    assert len(board.shots) == count, [s.text for s in board.shots]
    assert [s.stated_duration for s in board.shots] == durations


def test_premise_front_matter_notes_checklists_images_and_emoji_are_no_shots() -> None:
    script = ("---\ntitle: Spring Launch\nclient: Acme\n---\n"
              "A bright, upbeat spot inside a sunny flower market. 🌸\n\n"
              "Shot 1 (3s): ![ref](img/ref1.png) A florist wraps tulips. 🌷\n"
              "Shot 2 (2s): Close-up of the bouquet.\n\n## Production notes\n- Shoot at 10am\n- Two florists\n\n"
              "## Checklist\n- [ ] permits\n- [x] flowers\n")
    board = build(script, model=MODEL)
    assert board.title == "Spring Launch" and [s.text for s in board.shots] == ["A florist wraps tulips.",
                                                                                 "Close-up of the bouquet."]
    assert "flower market" in board.shots[0].setting
    for shot in board.shots:
        for junk in ("🌷", "🌸", "img/", "permits", "10am", "Acme", "---"):
            assert junk not in shot.prompt


def test_brand_names_in_quotes_stay_in_the_picture_and_speech_leaves_it() -> None:
    board = build("镜头1：桌上放着品牌“山谷咖啡”的纸杯，店员笑着说：“欢迎光临！”\n"
                  "Shot 2: A neon sign reading \"OPEN LATE\" flickers. Anna says \"We're closed.\"\n", model=MODEL)
    first, second = board.shots
    assert first.products == ["山谷咖啡"] and "山谷咖啡" in first.prompt and "欢迎光临" not in first.prompt
    assert [d["text"] for d in first.dialogue] == ["欢迎光临！"]
    assert second.products == ["OPEN LATE"] and [d["text"] for d in second.dialogue] == ["We're closed."]
    assert "We're closed" not in second.prompt


def test_stage_directions_and_labels_are_never_subtitles() -> None:
    board = split("Wide shot, a small town at night.\nMedium shot, a small noise behind the door.\n"
                  "画面：女孩微笑。\n(she pauses)\n", model=MODEL)
    assert all(not s.dialogue for s in board.shots)


def test_names_in_both_languages_and_the_tokenizer_is_not_changed() -> None:
    import jieba.posseg as pseg

    from studio import zh

    jieba = zh.jieba()
    before = (len(jieba.dt.FREQ), jieba.dt.total, len(pseg.dt.word_tag_tab))
    board = split("李明骑自行车去学校，路上帮助老奶奶过马路。\n一个女孩名叫苏小禾，她在湖边画画。\n"
                  "Later, a man named Oliver Stone walks in. He waves.\n", model=MODEL)
    assert (len(jieba.dt.FREQ), jieba.dt.total, len(pseg.dt.word_tag_tab)) == before
    assert "苏小禾" not in jieba.dt.FREQ
    found = [s.characters for s in board.shots]
    assert found[0] == ["李明"] and "苏小禾" in found[1] and "Oliver Stone" in found[2]
    assert board.shots[3].characters == ["Oliver Stone"] and board.shots[3].text.startswith("Oliver Stone waves")


def test_a_mixed_language_sentence_stays_one_shot_with_its_subject() -> None:
    board = split("一个astronaut在Mars表面slowly walking，背后是巨大的red canyon……", model=MODEL)
    assert len(board.shots) == 1 and board.shots[0].subject


@pytest.mark.parametrize("text,named", [
    ("ELS of the desert, then ECU on her eyes.", ["extreme-wide", "extreme-close-up"]),
    ("MCU, OTS as he reads, then POV of the letter.", ["medium-close-up", "ots", "pov"]),
    ("航拍，跟拍，慢动作。", ["aerial", "tracking", "slow-motion"]),
    ("The camera is pulling back slowly in slow motion.", ["pull-out", "slow-motion"]),
    ("大特写，镜头拉远，环绕拍摄，手持。", ["extreme-close-up", "pull-out", "orbit", "handheld"]),
    ("A chef flips an omelette in a frying pan.", []),
])
def test_camera_words_in_both_languages(text: str, named: list[str]) -> None:
    assert split(text, model=MODEL).shots[0].camera.named == named


def test_words_only_in_dialogue_warn_but_a_prompt_is_blocked() -> None:
    board = build("INT. OFFICE - DAY\n\nBen stares at the printer.\n\nBEN\nI will murder this printer, you killer machine.\n",
                  model=MODEL)
    said = [s for s in board.shots if s.dialogue][0]
    assert said.safety["flagged"] and not said.safety["blocked"] and "subtitles" in said.warnings[-1]
    blocked = build("A man stabs another man with a knife, blood everywhere.", model=MODEL).shots[0]
    assert blocked.safety["blocked"]
