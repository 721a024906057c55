"""In a real browser (Debian's Chromium via Playwright): the Models & settings page shows
the current project's options — the draft tier explained with the card's steps and
guidance, eSpeak NG marked as the robotic fallback, the planner's CPU note — and saving
Draft with no voice stores them; a LoRA file uploaded there joins the library; a Chinese browser reads the same block in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_one_click import open_tab, shoot
from tests.ui.test_api_flow import wait_for


@pytest.mark.browser
@pytest.mark.slow
def lora_file(folder):
    """A LoRA for the tiny transformer made with peft (tests.engine.test_lora's maker)."""
    from engine import resolve_weights
    from tests.engine.test_lora import _save_lora

    return _save_lora(folder, "page-ink.safetensors", ["to_q", "to_v"], 7, resolve_weights("tiny"))


def test_the_project_options_block_saves_the_tier_and_voice(e2e_studio, chromium_browser, artifacts, tmp_path):
    service = e2e_studio.service
    pid = service.projects.create_from_script("local", "镜头1：清晨的咖啡馆，阳光洒在木桌上。\n旁白：每一天。")[0]
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        page.goto(e2e_studio.url)
        page.locator("#project-choice input").wait_for()
        page.locator("#project-choice input").click()
        page.get_by_role("option").filter(has_text="镜头1").first.click()
        open_tab(page, "tab-settings")
        block = page.locator("#project-options")
        block.get_by_text("Draft (step-distilled LoRA").click()
        page.locator("#tier-about").get_by_text("2 steps, guidance 1.0").wait_for()
        assert "robotic fallback" in page.locator("#narrator-zh input").input_value()
        page.locator("#planner-note").get_by_text("random by design").wait_for()
        block.get_by_text("No voice").click()
        page.locator("#save-options").click()
        page.get_by_text("The project's options are saved").wait_for()
        shoot(page, artifacts, "project-options")
        options = service.projects.project("local", pid)["options"]
        assert options["tier"] == "draft" and options["voice"] == "off" and options["narrator"]["zh"] == "espeak-zh"

        # a LoRA file uploaded on the Models page joins the library
        page.locator("#add-lora").get_by_text("Add a LoRA").first.click()
        page.locator("#add-lora input[type=file]").set_input_files(str(lora_file(tmp_path)))
        page.locator("#add-lora").get_by_label("For model").fill("tiny")
        page.locator("#add-lora").get_by_label("For model").press("Enter")
        page.locator("#add-lora-button").click()
        page.get_by_text("The LoRA page-ink is in the library.").wait_for()
        expect(page.locator("#lora-table")).to_contain_text("page-ink")  # the table's text, drawn or not
        from engine.lora_library import get_entry

        assert get_entry("page-ink")["base_model"] == "tiny"
        page.locator("#project-loras input").click()  # and is offered for the project at once
        page.get_by_role("option", name="page-ink").click()
        page.locator("#save-options").click()
        wait_for(lambda: [e["name"] for e in service.projects.project("local", pid)["options"]["loras"]] == ["page-ink"],
                 "the project's LoRA to be saved", timeout=30)
    finally:
        page.close()
    zh = chromium_browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        zh.goto(e2e_studio.url)
        open_tab(zh, "tab-settings")
        zh.locator("#project-options").get_by_text("用语言模型撰写提示词").wait_for()
        zh.locator("#planner-note").get_by_text("随机").wait_for()  # the note in the browser's language
    finally:
        zh.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_held_clip_is_listed_on_the_generate_page_and_released_by_its_owner(e2e_studio, chromium_browser,
                                                                              tmp_path, monkeypatch):
    from studio.safety import live
    from tests.studio.safety.standin import build_standin

    monkeypatch.setenv("SHOTLINE_FRAME_SAFETY", "classifier")  # the tiny stand-in flags every frame
    monkeypatch.setenv("SHOTLINE_FRAME_CLASSIFIER", str(build_standin(tmp_path / "standin", flags=True)))
    live._CHECKER.clear()
    service = e2e_studio.service
    uid = service.user_id("local")
    try:
        pid = service.projects.create_from_script("local", "镜头1：夜晚的城市街头，霓虹灯闪烁。")[0]
        service.shots.queue_all("local", pid)
        held = wait_for(lambda: live.holds(service.db, uid), "the clip to be held", timeout=150)
        clip_id = held[0]["clip_id"]
        page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
        try:
            page.goto(e2e_studio.url)
            open_tab(page, "tab-generate")
            expect(page.locator("#held-table")).to_contain_text(clip_id)  # listed, with why
            expect(page.locator("#held-table")).to_contain_text("frame check")
            page.locator("#held-id textarea, #held-id input").first.fill(clip_id)
            page.locator("#release-clip").click()
            page.get_by_text(f"Clip {clip_id[:8]} is released").wait_for()
            assert clip_id not in [h["clip_id"] for h in live.holds(service.db, uid)]
        finally:
            page.close()
    finally:
        monkeypatch.delenv("SHOTLINE_FRAME_SAFETY")
        live._CHECKER.clear()
