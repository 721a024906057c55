"""The issue's Done-when cases, through the `shotline storyboard` command."""

from __future__ import annotations

import json
from pathlib import Path

from studio.cli import main
from studio.prompts.presets import default_presets

CORPUS = Path(__file__).parent / "corpus"


def _run(capsys, *args: str) -> dict:
    code = main(["storyboard", *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_qipao_sentence_gives_one_shot_with_subject_setting_lighting_and_style(tmp_path, capsys) -> None:
    script = tmp_path / "qipao.txt"
    script.write_text("夕阳下，穿旗袍的女人撑着油纸伞走过青石板巷", encoding="utf-8")
    data = _run(capsys, str(script), "--style", "ink-wash")
    assert len(data["shots"]) == 1
    shot = data["shots"][0]
    assert shot["subject"] == "穿旗袍的女人"
    assert shot["setting"] == "青石板巷"
    assert shot["time_of_day"] == "sunset"
    prompt = shot["prompt"]
    assert "穿旗袍的女人" in prompt and "青石板巷" in prompt
    assert "夕阳光" in prompt  # the lighting language, not just the word in the sentence
    assert default_presets().style("ink-wash").positive["zh"].split("，")[0] in prompt
    assert shot["style"] == "ink-wash"


def test_six_scene_bilingual_ad_gives_six_or_more_shots_with_dialogue_as_subtitles(capsys) -> None:
    data = _run(capsys, str(CORPUS / "23_mixed_bilingual_ad.txt"), "--style", "product-commercial")
    shots = data["shots"]
    assert len(shots) >= 6
    assert len({s["scene"] for s in shots}) == 6
    subtitles = [s["subtitle"] for s in shots if s["subtitle"]]
    for line in ["新的一天，Good morning!", "Fresh every morning，新鲜每一天。", "Life moves fast.",
                 "专注，从好状态开始。", "分享快乐，Share the joy.", "SunnyDay 橙汁，阳光每一天。"]:
        assert line in subtitles
    for shot in shots:  # speech is a subtitle, not something the model is asked to draw
        for d in shot["dialogue"]:
            assert d["text"] not in shot["prompt"]


def test_csv_of_three_students_gives_three_storyboards_with_name_and_appearance_in_every_shot(tmp_path, capsys) -> None:
    (tmp_path / "script.txt").write_text(
        "场景一：校门口\n{name}背着书包走进校门。\n\n场景二：教室\n{name}坐在窗边认真读书。\n\n"
        "场景三：操场\n{name}和同学们一起奔跑，开心地笑着。\n旁白：{name}，毕业快乐！\n", encoding="utf-8")
    (tmp_path / "cast.yaml").write_text(
        "characters:\n  - name: '{name}'\n    appearance: '{appearance}'\n", encoding="utf-8")
    (tmp_path / "students.csv").write_text(
        "name,appearance\n"
        "王小雨,扎马尾的女生，戴圆框眼镜，穿蓝白校服\n"
        "陈浩,短发男生，个子很高，穿红色运动服\n"
        "林悦,齐肩短发的女生，穿黄色毛衣\n", encoding="utf-8")
    data = _run(capsys, str(tmp_path / "script.txt"), "--characters", str(tmp_path / "cast.yaml"),
                "--csv", str(tmp_path / "students.csv"))
    boards = data["storyboards"]
    assert [b["row"] for b in boards] == [1, 2, 3]
    people = [("王小雨", "扎马尾的女生，戴圆框眼镜，穿蓝白校服"), ("陈浩", "短发男生，个子很高，穿红色运动服"),
              ("林悦", "齐肩短发的女生，穿黄色毛衣")]
    for board, (name, look) in zip(boards, people, strict=True):
        assert len(board["shots"]) >= 3
        for shot in board["shots"]:
            assert name in shot["prompt"] and look in shot["prompt"], shot["prompt"]
            assert shot["characters"] == [name]


def test_numbered_chinese_ad_cut_shows_exactly_its_two_spoken_lines_as_subtitles(tmp_path) -> None:
    """Issue 9's Done-when, below the browser: one shot per numbered shot with the stated
    durations, and the cut's subtitles are exactly the spoken line and the 旁白."""
    import sqlite_utils

    from studio.storyboard import build
    from studio.timeline.assemble import timeline_for

    script = ("镜头1（远景，航拍，4秒）：清晨的海边小镇，阳光洒在屋顶上。\n"
              "镜头2（中景，3秒）：渔夫老陈把渔网搬上船，笑着说：“今天一定有好收成！”\n"
              "镜头3（特写，2秒）：一条银色的鱼在网中跳跃。\n"
              "镜头4（全景，5秒）：渔船驶向远方的海平线。\n旁白：大海，从不辜负早起的人。\n")
    board = build(script, model="tiny", style="cinematic").to_dict()
    assert [s["duration_s"] for s in board["shots"]] == [4.0, 3.0, 2.0, 5.0]
    db = sqlite_utils.Database(memory=True)
    # the chain tables as studio.db's migrations make them, here with no chained shot (each shot is one clip)
    db.execute("CREATE TABLE shot_chains (id TEXT PRIMARY KEY, status TEXT, clip_id TEXT, error TEXT)")
    db.execute("CREATE TABLE chain_parts (job_id TEXT PRIMARY KEY, chain_id TEXT, part INTEGER)")
    db["clips"].insert_all([{"id": f"c{i}", "path": str(tmp_path / f"{i}.mp4"), "duration_s": s["duration_s"]}
                            for i, s in enumerate(board["shots"])], pk="id")
    db["jobs"].insert_all([{"id": f"j{i}", "status": "done", "clip_id": f"c{i}"} for i in range(len(board["shots"]))],
                          pk="id")
    flow = {"shots": [{"job_id": f"j{i}", "shot": s} for i, s in enumerate(board["shots"])],
            "options": {"music": "none", "logo": "none", "voice": "off"}}  # the voice track has its own tests
    timeline = timeline_for(db, flow)
    subtitles = [sub["text"] for clip in timeline["clips"] for sub in clip.get("subtitles", [])]
    assert subtitles == ["今天一定有好收成！", "大海，从不辜负早起的人。"]
