"""The rule-based writer (issue 12): Wan's formula, this shot's light, pronouns, speech,
products, continuation parts, no markup and never the shot before."""

from __future__ import annotations

from studio.prompts.characters import CharacterCard
from studio.prompts.products import ProductCard, load_products, products_in_script
from studio.prompts.scorer import score_shots
from studio.storyboard import build


def test_a_pronoun_subject_becomes_the_last_named_character() -> None:
    board = build("Anna walks into the kitchen.\nShe pours a cup of tea.")
    second = board.shots[1].prompt
    assert "Anna pours a cup of tea" in second and ". She pours" not in second
    zh = build("李明走进咖啡馆。\n他点了一杯拿铁。").shots[1].prompt
    assert "李明点了一杯拿铁" in zh


def test_no_named_person_yet_gives_a_description_not_a_bare_pronoun() -> None:
    shot = build("She opens the window.").shots[0]
    assert "A woman opens the window" in shot.prompt
    assert not score_shots([shot])[0].bare_pronoun


def test_a_speech_shot_says_who_speaks_without_the_words_or_boilerplate() -> None:
    board = build("李明走进教室，看见小红坐在窗边。\n李明：早上好！\n小红：你今天来得真早？")
    hello, early = board.shots[1].prompt, board.shots[2].prompt
    assert "李明看着小红开口说话" in hello and "早上好" not in hello and "对着镜头说话" not in hello
    assert "小红看着李明开口说话" in early and "询问" in early and "来得真早" not in early
    en = build("Tom: Where were you last night?").shots[0].prompt
    assert "Tom speaks" in en and "last night" not in en and "speaking to the camera" not in en


def test_the_light_comes_from_this_shot_never_daylight_at_night() -> None:
    board = build("清晨，女孩在阳台上伸懒腰。\n\n夜晚，她提着购物袋走过街道。")
    assert "晨光" in board.shots[0].prompt
    assert "夜景" in board.shots[1].prompt and "晨光" not in board.shots[1].prompt
    # a style preset that says "daylight" loses that fragment on a night shot
    night = build("INT. BAR - NIGHT\n\nA woman drinks alone at the counter.", style="lifestyle").shots[0]
    assert "daylight" not in night.prompt.lower() and "night" in night.prompt.lower()
    assert not any(s.contradiction for s in score_shots(board.shots + [night]))


def test_a_screenplay_day_heading_lights_the_shot_as_day() -> None:
    shot = build("EXT. PARK - DAY\n\nA dog chases a ball across the grass.").shots[0]
    assert "natural daylight" in shot.prompt.lower()


def test_markup_numbers_timecodes_files_and_emoji_never_reach_the_prompt() -> None:
    script = ("**镜头 1**：00:00-00:05 女孩走进咖啡店 📷 shot_01.mp4\n| 2 | 咖啡师在吧台前拉花（3秒） |\n\n"
              "> [00:05-00:09] 镜头 3：女孩捧起咖啡杯。")
    board = build(script)
    for shot in board.shots:
        for bad in ("**", "00:0", "📷", "shot_01", "|", "镜头 1", "镜头 3", "3秒", "[", ">"):
            assert bad not in shot.prompt, (bad, shot.prompt)
    assert not any(s.markup for s in score_shots(board.shots))


def test_two_consecutive_shots_never_share_a_prompt() -> None:
    board = build("A wave crashes on the rocks.\nA wave crashes on the rocks.\nA wave crashes on the rocks.")
    prompts = [s.prompt for s in board.shots]
    assert len(prompts) == 3 and prompts[0] != prompts[1] != prompts[2]
    assert not any(s.repeat for s in score_shots(board.shots))


def test_continuation_parts_of_a_long_shot_say_the_action_continues() -> None:
    from studio.prompts.compose import compose_storyboard
    from studio.storyboard import split
    from studio.storyboard.model import Shot

    board = split("一位穿着红色羽绒服的年轻女孩独自走在下着大雪的北方小城街头。")
    first = board.shots[0]
    board.shots = [first, *(Shot.from_dict({**first.to_dict(), "index": i, "part": i, "parts": 3}) for i in (2, 3))]
    first.parts = 3
    compose_storyboard(board)
    prompts = [s.prompt for s in board.shots]
    assert "动作延续" not in prompts[0] and "动作延续" in prompts[1] and "片刻之后" in prompts[2]
    assert len(set(prompts)) == 3


def test_a_product_card_is_written_the_same_way_in_every_shot_that_shows_it(tmp_path) -> None:
    from studio.prompts.compose import compose_storyboard
    from studio.storyboard import split

    (tmp_path / "p.json").write_text('{"products": [{"name": "AeroRun", "aliases": ["sneaker"], '
                                     '"look": "a light running shoe with a knit upper", "colours": "white and coral", '
                                     '"logo_text": "AR"}]}', encoding="utf-8")
    card = load_products(tmp_path / "p.json")[0]
    board = split("A runner laces up the AeroRun.\nThe sneaker hits the wet road.\nLighter than air.")
    compose_storyboard(board, products=[card])
    described = 'a light running shoe with a knit upper, in white and coral, with the logo text "AR"'
    for shot in board.shots:
        assert "AeroRun" in shot.prompt and described in shot.prompt, shot.prompt


def test_a_product_the_script_introduces_is_kept_for_its_ad_lines() -> None:
    assert products_in_script(["Meet the new AeroRun sneaker."]) == [ProductCard("AeroRun sneaker", aliases=("AeroRun",))]
    board = build("Meet the new AeroRun sneaker.\nLighter than air.\nBuilt for the city.")
    for shot in board.shots:
        assert "AeroRun sneaker" in shot.prompt


def test_character_cards_still_describe_every_appearance() -> None:
    li = CharacterCard("李明", "二十五岁的男生，短发，白衬衫", ("小明",))
    board = build("李明走进咖啡馆。\n他点了一杯拿铁。\n小明：谢谢！", characters=[li])
    for shot in board.shots:
        assert li.appearance in shot.prompt


def test_one_language_per_prompt_and_the_rule_prompt_is_kept() -> None:
    board = build("女孩在海边奔跑。\nA boy flies a kite on the beach.", style="cinematic")
    zh, en = board.shots
    assert "cinematic" not in zh.prompt.lower() and "电影" not in en.prompt
    for shot in board.shots:
        assert shot.rule_prompt == shot.prompt and shot.prompt_source == "rules"


def test_final_draft_xml_read_as_text_keeps_its_dialogue_out_of_the_prompt() -> None:
    from studio.prompts.clean import fdx_picture

    # a shot's text that starts inside a dialogue paragraph the shot before opened
    text = ('<Text>Then let\'s retire them.</Text> </Paragraph> <Paragraph Type="Action"> <Text>Brick starts the '
            'engine.</Text> </Paragraph> <Paragraph Type="Dialogue"> <Text>Permanently.</Text>')
    assert fdx_picture(text, "Dialogue") == ("Brick starts the engine.", "Dialogue")
    assert fdx_picture("A plain line.") == ("A plain line.", "")
