"""Issue 15, point 3: one user's input never stalls another user's one-click. A one-click
whose shot carries a 100,000-character sentence cannot become a timeline (a subtitle holds
at most 2000 characters); its project fails alone, with one short sentence to its owner,
logged once, while another user's one-click, queued behind it, runs to its final cut.
The running studio of tests/ui (real worker, tiny model), driven through its services."""

from __future__ import annotations

import logging

import pytest

from tests.ui.test_api_flow import wait_for


@pytest.mark.slow
def test_a_poisoned_one_click_fails_alone_while_another_finishes(studio, caplog):
    caplog.set_level(logging.WARNING, logger="shotline.pipeline")
    services = studio.service
    poisoned = services.projects.create_from_script("mallory", "镜头1：清晨的咖啡馆。", auto_export=True)[0]
    shot = services.projects.project("mallory", poisoned)["shots"][0]["id"]
    services.projects.edit_shot("mallory", poisoned, shot, subtitle="咖啡" * 50_000)
    services.shots.queue_all("mallory", poisoned)
    other = services.pipeline.one_click("olive", "镜头1：窗外下起小雨。")

    def ended(user, pid):
        return services.projects.project(user, pid)["status"] in ("done", "failed")

    wait_for(lambda: ended("mallory", poisoned) and ended("olive", other), "both one-clicks to end", timeout=300)
    bad = services.projects.project("mallory", poisoned)
    good = services.projects.project("olive", other)
    assert bad["status"] == "failed" and bad["error"].startswith("subtitle text") and len(bad["error"]) <= 300, bad
    assert good["status"] == "done" and good["export_id"], good
    assert services.renders.export("olive", good["export_id"])["size_bytes"] > 1000
    logged = [r for r in caplog.records if r.name == "shotline.pipeline" and getattr(r, "project_id", "") == poisoned]
    assert len(logged) == 1 and len(logged[0].getMessage()) < 400
