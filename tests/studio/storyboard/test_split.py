"""Splitter rules one by one: headings, lists, sentence ends, dialogue forms, time markers,
explicit durations and clamping to the model's clip length."""

from __future__ import annotations

import pytest

from studio.storyboard import Shot, Storyboard, split
from studio.storyboard.split import split_sentences, take_duration


def texts(script: str, **kw) -> list[str]:
    return [s.text for s in split(script, **kw).shots]


@pytest.mark.parametrize("heading", ["场景一：咖啡馆", "第一幕", "INT. CAFE - DAY", "EXT. PARK - NIGHT", "Scene 2",
                                     "## 咖啡馆", "# Act one", "场次3 厨房"])
def test_scene_headings_start_a_scene_and_are_not_shots(heading: str) -> None:
    board = split(f"一个女人走进来。\n\n{heading}\n她坐下来喝咖啡。")
    assert [s.text for s in board.shots] == ["一个女人走进来。", "她坐下来喝咖啡。"]
    assert board.shots[1].scene == board.shots[0].scene + 1


@pytest.mark.parametrize("script", ["镜头1：女孩微笑\n镜头2：男孩挥手", "Shot 1: a girl smiles\nShot 2: a boy waves",
                                    "1. a girl smiles\n2. a boy waves", "- a girl smiles\n- a boy waves",
                                    "1、女孩微笑\n2、男孩挥手", "* a girl smiles\n* a boy waves"])
def test_shot_headings_and_list_items_are_one_shot_each(script: str) -> None:
    assert len(split(script).shots) == 2


def test_sentence_ends_in_both_languages() -> None:
    assert split_sentences("她笑了。他哭了！真的吗？好的；走吧…") == ["她笑了。", "他哭了！", "真的吗？", "好的；", "走吧…"]
    assert split_sentences("She smiles. He waves! Really? Mr. Lee nods.") == ["She smiles.", " He waves!", " Really?", " Mr. Lee nods."]
    assert split_sentences("3.5 million users. Great") == ["3.5 million users.", " Great"]


def test_terminators_inside_quotes_do_not_split() -> None:
    assert len(split("她说：“今天真好。我们走吧！”然后离开了。").shots) == 1


@pytest.mark.parametrize("script,speaker,line", [
    ("李明：你好！", "李明", "你好！"), ("Anna: See you soon.", "Anna", "See you soon."),
    ("她笑着说：“这杯咖啡真香。”", "", "这杯咖啡真香。"), ("奶奶说：「快吃吧。」", "", "快吃吧。"),
    ('He says "see you tomorrow" and leaves.', "", "see you tomorrow"),
])
def test_dialogue_forms_become_the_subtitle(script: str, speaker: str, line: str) -> None:
    shot = split(script).shots[0]
    assert shot.subtitle == line
    if speaker:
        assert shot.dialogue[0]["speaker"] == speaker and speaker in shot.characters


def test_screenplay_cue_and_parenthetical() -> None:
    board = split("INT. OFFICE - NIGHT\n\nBen types fast.\n\nANNA\n(whispering)\nWe have to go.\n")
    assert [s.subtitle for s in board.shots] == ["", "We have to go."]
    assert board.shots[1].dialogue[0]["speaker"] == "Anna"
    assert board.shots[0].setting == "office" and board.shots[0].time_of_day == "night"


def test_voice_over_attaches_to_the_shot_before_it() -> None:
    board = split("画面：女孩打开冰箱。\n旁白：每天一杯好牛奶。")
    assert len(board.shots) == 1 and board.shots[0].subtitle == "每天一杯好牛奶。"


@pytest.mark.parametrize("script,time", [("黄昏时，老人坐在门口。", "dusk"), ("At dawn, a fox crosses the field.", "dawn"),
                                         ("夜晚，城市灯火通明。", "night"), ("A couple dances at sunset.", "sunset")])
def test_time_markers(script: str, time: str) -> None:
    shot = split(script).shots[0]
    assert shot.time_of_day == time and shot.lighting


@pytest.mark.parametrize("text,seconds", [("女孩微笑（3秒）", 3.0), ("a girl smiles (3s)", 3.0), ("3秒：女孩微笑", 3.0),
                                          ("a girl smiles, 4 seconds", 4.0), ("[2.5s] a girl smiles", 2.5),
                                          ("三个女孩", None), ("3.5 million users", None)])
def test_explicit_durations(text: str, seconds: float | None) -> None:
    assert take_duration(text)[1] == seconds


def test_explicit_duration_sets_the_shot_and_frames() -> None:
    shot = split("镜头1（3秒）：特写，咖啡豆落下").shots[0]
    assert shot.duration_s == 3.0 and shot.explicit_duration and shot.num_frames == 49


def test_a_beat_longer_than_one_clip_becomes_several_shots() -> None:
    board = split("镜头1（12秒）：航拍，城市的天际线，车流穿梭，霓虹闪烁")
    assert len(board.shots) == 3 and all(s.duration_s == 4.0 for s in board.shots)
    assert [s.part for s in board.shots] == [1, 2, 3] and board.shots[0].warnings


def test_durations_clamp_to_the_chosen_model() -> None:
    long = "一位穿着红色羽绒服的年轻女孩独自走在下着大雪的北方小城街头，路边的小店陆续亮起温暖的灯光。"
    wan = split(long, model="wan2.1-t2v-1.3b").shots
    tiny = split(long, model="tiny").shots  # 33 frames at 16 fps: 2 s a clip
    assert all(s.duration_s <= 5.0 for s in wan) and all(s.duration_s <= 2.0 for s in tiny)
    assert len(tiny) > len(wan) and max(s.num_frames for s in tiny) <= 33


def test_scene_heading_duration_is_shared_by_its_shots() -> None:
    board = split("场景一（6秒）：厨房\n妈妈打开冰箱。孩子跑进来。")
    assert [s.duration_s for s in board.shots] == [3.0, 3.0]


def test_camera_words_are_read_in_both_languages() -> None:
    a, b = split("特写，推镜头，一杯咖啡冒着热气。\n\nAerial shot, the camera orbits the island.").shots
    assert (a.camera.size, a.camera.movement, a.camera.explicit) == ("close-up", "push-in", True)
    assert (b.camera.size, b.camera.movement) == ("aerial", "orbit")


def test_frying_pan_is_not_a_camera_pan() -> None:
    assert split("A chef flips an omelette in a frying pan.").shots[0].camera.movement != "pan"


def test_storyboard_round_trips_through_dicts() -> None:
    board = split("李明：你好！\n\nINT. CAFE - DAY\nAnna waves (3s).")
    again = Storyboard.from_dict(board.to_dict())
    assert again.to_dict() == board.to_dict()
    with pytest.raises(ValueError, match="unknown field"):
        Shot.from_dict({**board.shots[0].to_dict(), "bogus": 1})


def test_unknown_model_is_one_sentence() -> None:
    with pytest.raises(ValueError, match="tiny"):
        split("hello there", model="nope")


def test_jieba_dictionary_loads_once_per_process(monkeypatch) -> None:
    import jieba

    from studio import zh

    split("女孩在花园里。")  # loaded by now
    calls = []
    real = jieba.initialize
    monkeypatch.setattr(jieba, "initialize", lambda *a, **k: calls.append(1) or real(*a, **k))
    split("男孩在公园里跑步。老人在湖边钓鱼。")
    assert calls == [] and zh._READY


def test_place_and_time_lines_describe_the_scene_and_notes_are_not_shots() -> None:
    board = split("场景一\n地点：海边咖啡馆\n时间：黄昏\n人物：李明、小红\n价格：99元\n李明推门走进来。\n"
                  "旁白（男声）：有些相遇，早已注定。")
    assert len(board.shots) == 1
    shot = board.shots[0]
    assert shot.setting == "海边咖啡馆" and shot.time_of_day == "dusk"
    assert shot.subtitle == "有些相遇，早已注定。" and shot.dialogue[0]["speaker"] == ""
    assert "价格：99元" in shot.source


def test_script_from_standard_input(monkeypatch, capsys) -> None:
    import io
    import json

    from studio.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("A girl smiles at the camera."))
    assert main(["storyboard", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["shots"][0]["text"] == "A girl smiles at the camera."


def test_a_long_spoken_line_is_split_across_shots_with_its_subtitle() -> None:
    line = "每一天，我们都在寻找更好的自己，在城市的喧嚣里，在清晨的第一缕阳光中，在每一杯用心冲泡的咖啡里。"
    board = split(f"旁白：{line}")
    assert len(board.shots) >= 2
    assert "".join(s.subtitle for s in board.shots) == line
    assert all(s.duration_s <= 5.0 for s in board.shots)


def test_jieba_cache_is_kept_in_shotline_home() -> None:
    import jieba

    split("女孩在花园里。")
    assert jieba.dt.tmp_dir and "cache" in jieba.dt.tmp_dir


def test_shot_tables_map_columns_by_header() -> None:
    board = split("| 镜号 | 景别 | 画面 | 台词/旁白 | 时长（秒） |\n|---|---|---|---|---|\n"
                  "| 1 | 特写 | 咖啡豆落下 | 旁白：好咖啡，慢慢来。 | 3 |\n| 2 | 远景 | 城市清晨 | - | 2秒 |\n")
    a, b = board.shots
    assert (a.text, a.camera.size, a.subtitle, a.duration_s) == ("咖啡豆落下", "close-up", "好咖啡，慢慢来。", 3.0)
    assert (b.text, b.camera.size, b.subtitle, b.duration_s) == ("城市清晨", "wide", "", 2.0)


def test_a_table_that_is_not_a_shot_table_is_ordinary_text() -> None:
    board = split("| Plan | Price |\n|---|---|\n| Basic | $9 |\n| Pro | $29 |")
    assert board.shots and "Basic" in "".join(s.source for s in board.shots)


def test_quotes_are_said_by_the_character_in_the_shot_but_voice_over_is_not() -> None:
    from studio.prompts.characters import CharacterCard

    cards = [CharacterCard("李明", "短发男生")]
    quote = split("李明笑着说：“你好呀，好久不见。”", characters=cards).shots[0]
    voice = split("画面：李明走进教室。\n旁白：新学期开始了。", characters=cards).shots[0]
    assert quote.dialogue == [{"speaker": "李明", "text": "你好呀，好久不见。"}]
    assert voice.dialogue == [{"speaker": "", "text": "新学期开始了。"}] and voice.characters == ["李明"]


def test_a_duration_mark_leaves_clean_text() -> None:
    assert split("A girl smiles (3s). She waves.").shots[0].text == "A girl smiles."


def test_bracketed_headings_and_labels() -> None:
    from studio.storyboard import build

    board = build("【场景一】咖啡馆·清晨\n【画面】女孩推门走进来。\n【旁白】每一天，都值得一杯好咖啡。\n\n"
                  "【镜头2】特写：咖啡师拉花\n[Scene 2] Street - night\nA boy runs through the rain.")
    a, b, c = board.shots
    assert (a.setting, a.time_of_day, a.subtitle) == ("咖啡馆", "dawn", "每一天，都值得一杯好咖啡。")
    # the camera label is not in the prompt: the subject sentence (after the style, issue 12) starts with it
    assert b.camera.size == "close-up" and not b.dialogue and "。咖啡师拉花" in b.prompt and "特写：" not in b.prompt
    assert c.scene == 2 and c.setting == "Street" and c.time_of_day == "rain"  # the line's own weather wins

def test_a_plain_first_line_above_the_first_heading_is_the_title_not_a_shot():
    script = ("山谷咖啡 · 早晨广告\n镜头1：清晨的城市街道，阳光洒在咖啡馆的木门上。\n旁白：每一天，从一杯好咖啡开始。\n"
              "镜头2：咖啡师微笑着把一杯拿铁递给顾客。")
    board = split(script, model="wan2.1-t2v-1.3b")
    assert board.title == "山谷咖啡 · 早晨广告"
    assert [s.text for s in board.shots] == ["清晨的城市街道，阳光洒在咖啡馆的木门上。", "咖啡师微笑着把一杯拿铁递给顾客。"]
    assert board.shots[0].source.startswith("山谷咖啡 · 早晨广告\n")  # nothing of the script is lost
    assert split("Spring sale\n- A woman opens a gift box.\n- She smiles.").title == "Spring sale"


def test_a_first_line_that_is_a_sentence_or_has_no_heading_after_it_stays_a_shot():
    assert split("A quiet morning\nThe sun rises over the hills.").title == ""
    assert split("清晨，阳光洒进窗户。\n镜头1：她醒来。").title == ""
    assert split("旁白：欢迎\n镜头1：她醒来。").title == ""
