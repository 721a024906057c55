"""End to end in a real browser (issue 9's Done-when): a numbered Chinese ad script, uploaded
as a GBK file by a Chinese-speaking user, with one spoken line and one 旁白. The page says
which format and encoding it read; the Storyboard page shows one card per numbered shot with
the stated durations; the one-click final cut carries exactly those two lines as subtitles —
read from the SRT the export writes beside the MP4 and from the saved timeline, not from the
page. An undo brings a deleted shot back. Tiny model, 2 + 1 seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_one_click import open_tab, shoot

AD = ("镜头1（远景，航拍，2秒）：清晨的山谷，薄雾笼罩着咖啡园。\n旁白：每一天，从山谷开始。\n"
      "镜头2（近景，1秒）：咖啡师把一杯拿铁递给顾客。\n顾客：“真香！”\n")
LINES = ["每一天，从山谷开始。", "真香！"]


def wait_for_cards(page, ids: list[str]) -> None:
    """Until the board shows exactly these cards, in this order (a card's id may match twice)."""
    page.wait_for_function("ids => JSON.stringify([...new Set([...document.querySelectorAll("
                           "'#shot-board .shot-card')].map(e => e.id))]) === JSON.stringify(ids)",
                           arg=[f"shot-{i}" for i in ids])


def project_named(studio, name: str) -> str:
    (pid,) = [p["project_id"] for p in studio.service.projects.projects("local") if p["name"] == name]
    return pid


@pytest.mark.browser
@pytest.mark.slow
def test_a_numbered_chinese_ad_file_gives_its_shots_and_exactly_its_two_subtitles(e2e_studio, chromium_browser,
                                                                                  artifacts, tmp_path):
    from playwright.sync_api import expect

    from studio.export.probe import probe
    from studio.export.subtitles import read_srt

    script = tmp_path / "山谷广告.txt"
    script.write_bytes(AD.encode("gbk"))
    context = chromium_browser.new_context(viewport={"width": 1360, "height": 1400}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(e2e_studio.url)

    # a PDF is refused in one Chinese sentence that names it and lists what is read
    pdf = tmp_path / "剧本.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    page.locator("#script-file input[type=file]").set_input_files(str(pdf))
    expect(page.locator("#script-file-note")).to_contain_text("此文件是PDF 文档，分镜不读取这种格式；可接受：Fountain（.fountain）")
    # the upload is read as GBK text and the page says so, in Chinese
    page.locator("#script-file input[type=file]").set_input_files(str(script))
    expect(page.locator("#script-file-note")).to_contain_text("已读取 山谷广告.txt：纯文本，编码 GBK。")
    expect(page.locator("#script-input textarea")).to_have_value(AD)
    page.get_by_label("项目名称（可选）").fill("山谷广告 分镜")
    page.locator("#make-storyboard").click()
    page.get_by_text("storyboard(s) made").first.wait_for()
    pid = project_named(e2e_studio, "山谷广告 分镜")
    entries = e2e_studio.service.projects.project("local", pid)["shots"]
    assert [e["shot"]["duration_s"] for e in entries] == [2.0, 1.0]

    # the Storyboard page: one card per numbered shot, with the stated seconds
    open_tab(page, "tab-storyboard")
    ids = [e["id"] for e in entries]
    wait_for_cards(page, ids)
    durations = [float(page.locator(f"#shot-{i} .f-duration input").first.input_value()) for i in ids]
    assert durations == [2.0, 1.0]
    # delete the first shot, then undo: it is back where it was
    page.locator(f"#shot-{ids[0]} .act-delete").first.click()
    wait_for_cards(page, ids[1:])
    page.locator("#undo-delete").click()
    page.wait_for_function("() => new Set([...document.querySelectorAll('#shot-board .shot-card')]"
                           ".map(e => e.id)).size === 2")
    back = e2e_studio.service.projects.project("local", pid)["shots"]
    wait_for_cards(page, [e["id"] for e in back])
    assert back[1]["id"] == ids[1]
    assert [e["shot"]["subtitle"] for e in back] == LINES and [e["shot"]["duration_s"] for e in back] == [2.0, 1.0]
    shoot(page, artifacts, "ad-2-storyboard")

    # one click from the same upload: the final cut
    page.get_by_role("tab").nth(0).click()
    page.get_by_label("项目名称（可选）").fill("山谷广告 成片")
    page.locator("#one-click").click()
    page.locator("#flow-status").get_by_text("山谷广告 成片").wait_for()
    page.locator("#final-cut a").first.wait_for(timeout=400_000)
    shoot(page, artifacts, "ad-1-script-done")
    cut = project_named(e2e_studio, "山谷广告 成片")
    flow = e2e_studio.service.projects.project("local", cut)
    assert flow["status"] == "done" and [e["shot"]["duration_s"] for e in flow["shots"]] == [2.0, 1.0]
    final = Path(e2e_studio.service.renders.export("local", flow["export_id"])["path"])
    subtitles = read_srt(final.with_suffix(".srt"))
    assert [s.text for s in subtitles] == LINES  # exactly the two spoken lines; no stage direction
    first, second = subtitles
    length = probe(final).duration_s
    assert abs(length - 3.0) < 0.6, f"the cut is {length:.2f} s; the script states 2 + 1 seconds"
    # the voice-over over the first shot, the customer's line over the second
    assert first.start_s < 2.0 and first.end_s <= second.start_s and 1.5 <= second.start_s < second.end_s <= length + 0.1
    timeline = e2e_studio.service.timelines.timeline("local", cut)
    said = [s["text"] for c in timeline["clips"] for s in c.get("subtitles") or []]
    assert said + [s["text"] for s in timeline.get("subtitles") or []] == LINES  # the saved timeline says the same
    context.close()
