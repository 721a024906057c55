"""Attack/done-when: with frame safety on (the tiny stand-in classifier, which flags every
frame), bob's one-click makes its clips, but they are held: the cut is refused with one
sentence naming the hold; bob sees his held clips, releases them after review, and the
export then succeeds. Alice's finished work is untouched throughout."""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError

from studio.safety import live
from tests.attack.conftest import calm, wait_for
from tests.studio.safety.standin import build_standin


@pytest.mark.slow
def test_a_flagged_clip_is_held_from_export_and_released_by_its_owner(studio, client_for, alice_work, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("SHOTLINE_FRAME_SAFETY", "classifier")
    monkeypatch.setenv("SHOTLINE_FRAME_CLASSIFIER", str(build_standin(tmp_path / "standin", flags=True)))
    live._CHECKER.clear()
    try:
        bob = client_for("bob")
        pid = bob.predict("镜头1：夜晚的城市街头，霓虹灯闪烁。\n", api_name="/one_click_api")
        wait_for(lambda: bob.predict(pid, api_name="/project")["status"] in ("done", "failed"), "bob's one-click")
        project = bob.predict(pid, api_name="/project")
        assert project["status"] == "failed" and not project["export_id"], project
        calm(project["error"], names="held by the frame safety check")
        held = bob.predict(api_name="/held_clips")
        assert held and all("frame check" in h["message"] for h in held)
        with pytest.raises(AppError) as err:
            bob.predict(pid, "720p", api_name="/export_api")
        calm(str(err.value), names="held")
        assert client_for("alice").predict(api_name="/held_clips") == []
        with pytest.raises(AppError):  # alice cannot release bob's clip
            client_for("alice").predict(held[0]["clip_id"], api_name="/release_clip")
        for h in held:
            bob.predict(h["clip_id"], api_name="/release_clip")
        task = bob.predict(pid, "720p", api_name="/export_api")
        state = wait_for(lambda: (s := bob.predict(task, api_name="/task"))["status"] in ("done", "failed") and s,
                         "bob's export after release")
        assert state["status"] == "done", state
    finally:
        monkeypatch.delenv("SHOTLINE_FRAME_SAFETY")
        live._CHECKER.clear()
