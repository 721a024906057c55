"""In a real browser (Debian's Chromium via Playwright): a marketer makes a two-shot storyboard
on the image-to-video model, uploads a product photo as the first shot's start image
through the card's own button, ticks "continue from the previous shot" on the second,
tries a tier the model lacks, queues the board and watches both cards get their pictures.
The jobs are checked in the store: the photo reaches the first clip's job, and the
continued shot's clip is held until the first is done and starts from its last frame.
Affordable: tiny-i2v at its small size, 2 steps, half-second shots (one clip each)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from tests.e2e.test_one_click import open_tab, shoot

SCRIPT = "镜头1（0.5秒）：桌上放着一瓶香水。\n镜头2（0.5秒）：镜头慢慢推近瓶身。"


def chain_jobs(db, job_id: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT job_id FROM chain_parts WHERE chain_id = (SELECT chain_id FROM chain_parts WHERE job_id = ?)"
        " ORDER BY part", [job_id]).fetchall()]


@pytest.mark.browser
@pytest.mark.slow
def test_a_product_photo_starts_a_shot_and_the_continued_shot_follows_it(e2e_studio, chromium_browser, artifacts,
                                                                          tmp_path):
    from playwright.sync_api import expect

    service = e2e_studio.service
    before = {p["project_id"] for p in service.projects.projects("local")}
    context = chromium_browser.new_context(viewport={"width": 1360, "height": 1600}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(e2e_studio.url)
    page.locator("#script-input textarea").fill(SCRIPT)
    model = page.locator("#model-choice input")
    model.fill("tiny-i2v")
    model.press("Enter")
    page.locator("#make-storyboard").click()
    open_tab(page, "tab-storyboard")
    cards = page.locator("#shot-board .shot-card")
    cards.nth(1).wait_for()
    pid = next(p["project_id"] for p in service.projects.projects("local") if p["project_id"] not in before)
    flow = service.projects.project("local", pid)
    assert flow["options"]["model"] == "tiny-i2v"
    first, second = (e["id"] for e in flow["shots"])
    card1 = page.locator(f"#shot-board #shot-{first}").first
    expect(card1.locator(".sl-thumb-empty")).to_be_visible()  # no picture yet

    # the product photo, shaped like the clip, through the card's "Start image…" button
    w, h = flow["options"]["width"], flow["options"]["height"]
    photo = tmp_path / "perfume-bottle.png"
    Image.new("RGB", (w * 4, h * 4), (210, 40, 60)).save(photo)
    with page.expect_file_chooser() as chooser:
        card1.locator(".act-upload_image").click()
    chooser.value.set_files(str(photo))
    thumb = page.locator(f"#shot-board #shot-{first} img.sl-thumb").first
    thumb.wait_for(timeout=60_000)
    assert thumb.get_attribute("src").startswith(f"/media/thumb/{first}?")  # by shot id, never a file path
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=thumb.element_handle())
    answer = page.request.get(e2e_studio.url.rstrip("/") + thumb.get_attribute("src"))
    assert answer.ok and answer.headers["content-type"] == "image/jpeg"
    stored = service.projects.project("local", pid)["shots"][0]["shot"]["image"]
    assert stored and "perfume-bottle" not in stored  # a checked copy in the data folder

    # a bad image gets one sentence naming it
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    with page.expect_file_chooser() as chooser:
        page.locator(f"#shot-board #shot-{first} .act-upload_image").first.click()
    chooser.value.set_files(str(bad))
    page.get_by_text("The start image 'notes.png' is not accepted").first.wait_for()

    # the second shot continues from the first: its own start-image button goes away
    # a click, not check(): the saved choice renders the board again, so the clicked box is replaced at once
    page.locator(f"#shot-board #shot-{second} .f-continues input").first.click()
    expect(page.locator(f"#shot-board #shot-{second} .act-upload_image")).to_have_count(0)
    expect(page.locator(f"#shot-board #shot-{second} .f-continues input").first).to_be_checked()
    assert service.projects.project("local", pid)["shots"][1]["shot"]["continues"] is True
    # tiny-i2v has no draft tier: the choice reaches the handler, which says which models have one
    page.locator(f"#shot-board #shot-{second} .f-tier").first.get_by_text("Draft").click()
    page.get_by_text("has no draft tier").first.wait_for()
    shoot(page, artifacts, "2-storyboard-cards-photo")

    page.locator("#queue-all").click()
    # while it runs the continued card gets a picture too (its latest preview, then its clip's first frame)
    card2_thumb = page.locator(f"#shot-board #shot-{second} img.sl-thumb").first
    card2_thumb.wait_for(timeout=240_000)
    flow = service.projects.project("local", pid)
    one, two = (chain_jobs(service.db, e["job_id"]) for e in flow["shots"])
    assert len(one) == len(two) == 1, "half-second shots are one clip each"

    # the Generate page lists the chain: shot 1's job and shot 2's, both done in the end
    open_tab(page, "tab-generate")
    table = page.locator("#job-table")
    for job in (one[0], two[0]):
        expect(table.get_by_role("row").filter(has_text=job)).to_contain_text("done", timeout=240_000)
    shoot(page, artifacts, "3-generate-chain")
    rows = {r[0]: r for r in service.db.execute(
        "SELECT id, status, started_at, finished_at, params FROM jobs WHERE id IN (?, ?)", [one[0], two[0]]).fetchall()}
    assert json.loads(rows[one[0]][4])["image"] == stored  # the photo started the first clip
    after, from_frame = service.db.execute("SELECT after_job_id, from_last_frame FROM chain_parts WHERE job_id = ?",
                                           [two[0]]).fetchone()
    assert (after, from_frame) == (one[0], 1)
    assert rows[two[0]][2] >= rows[one[0]][3], "the continued shot started before the first one was done"
    assert json.loads(rows[two[0]][4]).get("image"), "the continued shot got the first clip's last frame"

    # back on the Storyboard, the continued card shows its clip's first frame; the first card keeps the photo
    from studio.ui.storyboard import _thumb_html

    clip_thumb = service.cards.thumbnail("local", second)
    clip = service.db.execute("SELECT c.path FROM jobs j JOIN clips c ON c.id = j.clip_id WHERE j.id = ?",
                              [flow["shots"][1]["job_id"]]).fetchone()
    assert clip_thumb == service.library.thumbnail("local", clip[0])  # the library's first-frame thumbnail
    want = _thumb_html(lambda key: key, second, clip_thumb).split('src="')[1].split('"')[0]
    open_tab(page, "tab-storyboard")
    expect(page.locator(f"#shot-board #shot-{second} img.sl-thumb").first).to_have_attribute("src", want,
                                                                                             timeout=30_000)
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0",
                           arg=page.locator(f"#shot-board #shot-{second} img.sl-thumb").first.element_handle())
    expect(page.locator(f"#shot-board #shot-{first} img.sl-thumb").first).to_have_attribute(
        "src", _thumb_html(lambda key: key, first, service.cards.thumbnail("local", first)).split('src="')[1].split('"')[0])
    shoot(page, artifacts, "2-storyboard-cards-generated")
    context.close()


@pytest.mark.browser
def test_an_overlong_voice_line_is_flagged_on_the_card_and_lengthened_in_chinese(e2e_studio, chromium_browser,
                                                                                  artifacts):
    from playwright.sync_api import expect

    service = e2e_studio.service
    before = {p["project_id"] for p in service.projects.projects("local")}
    context = chromium_browser.new_context(viewport={"width": 1360, "height": 1200}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(e2e_studio.url)
    page.locator("#script-input textarea").fill(
        "镜头1（0.5秒）：清晨的咖啡馆。\n旁白：每一天，都从一杯用心冲煮、香气四溢的好咖啡开始。\n镜头2（0.5秒）：窗外下起小雨。")
    page.locator("#make-storyboard").click()
    open_tab(page, "tab-storyboard")
    page.locator("#shot-board .shot-card").nth(1).wait_for()
    pid = next(p["project_id"] for p in service.projects.projects("local") if p["project_id"] not in before)
    sid = service.projects.project("local", pid)["shots"][0]["id"]
    found = service.cards.voice_check("local", pid)[sid]
    card = page.locator(f"#shot-board #shot-{sid}").first
    flag = card.locator(".prose.sl-voice-flag")
    expect(flag).to_contain_text("台词比镜头长")  # in the browser's language, with the numbers
    expect(flag).to_contain_text(f"{found['voice_s']:.1f} s / 0.5 s")
    shoot(page, artifacts, "2-storyboard-voice-flag-zh")
    card.locator(".act-lengthen").click()
    expect(page.locator(f"#shot-board #shot-{sid} .prose.sl-voice-flag")).to_have_count(0)
    assert service.projects.project("local", pid)["shots"][0]["shot"]["duration_s"] == found["lengthen_to"]
    context.close()
