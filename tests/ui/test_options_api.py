"""The wired options over the studio's HTTP API (gradio_client against the app launched in
the test, a real CPU worker with the tiny model): a project's quality tier, LoRAs and voice
saved and checked; its draft clip made and then re-made as final with the same seed and
prompt; the timeline's mix and smooth motion; the language-model planner run through the
worker queue, whose tiny model's random output falls back to the rule-based prompts."""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError

from tests.ui.test_api_flow import wait_for

ONE_SHOT = "镜头1：清晨的咖啡馆，阳光洒在木桌上。\n旁白：每一天，从一杯好咖啡开始。"


@pytest.fixture(scope="module")
def ink_lora(studio, tmp_path_factory):
    """A LoRA for the tiny transformer (made with peft), added to the library as the Models page does."""
    from engine import resolve_weights
    from engine.lora_library import add_entry, get_entry
    from tests.engine.test_lora import _save_lora

    if get_entry("ink") is None:
        path = _save_lora(tmp_path_factory.mktemp("ui-lora"), "ink.safetensors", ["to_q", "to_v"], 5,
                          resolve_weights("tiny"))
        add_entry(str(path), "tiny", name="ink", scale=0.8)
    return "ink"


def test_project_options_are_checked_saved_and_private(client_for, ink_lora):
    alice, bob = client_for("alice"), client_for("bob")
    pid = alice.predict(ONE_SHOT, "", "16:9", api_name="/storyboard")
    opts = alice.predict(pid, api_name="/project_options")
    assert opts["model"] == "tiny" and opts["tier"] is None
    assert opts["tiers"]["draft"]["steps"] < opts["tiers"]["final_steps"]  # what the draft tier means, shown on the page
    assert "ink" in [e["name"] for e in alice.predict(api_name="/loras")]
    saved = alice.predict(pid, {"tier": "draft", "loras": [{"name": "ink", "scale": 0.5}], "voice": "off",
                                "narrator": {"zh": "espeak-zh"}, "voice_speed": 1.25},
                          api_name="/save_project_options")
    assert saved["tier"] == "draft" and saved["voice"] == "off" and saved["voice_speed"] == 1.25
    assert saved["loras"][0]["name"] == "ink" and saved["loras"][0]["scale"] == 0.5
    assert alice.predict(pid, api_name="/project")["options"]["narrator"] == {"zh": "espeak-zh"}
    for bad, words in (({"tier": "best"}, "quality tier 'best'"), ({"narrator": {"zh": "af_heart"}}, "af_heart"),
                       ({"voice_speed": 9}, "voice speed"), ({"loras": [{"name": "nope"}]}, "not in the LoRA library"),
                       ({"planner": "gpt-9"}, "gpt-9")):
        with pytest.raises(AppError, match=words) as err:
            alice.predict(pid, bad, api_name="/save_project_options")
        assert "Traceback" not in str(err.value)
    with pytest.raises(AppError, match="not known"):  # another user's project is not known, not "not yours"
        bob.predict(pid, {"tier": "final"}, api_name="/save_project_options")
    with pytest.raises(AppError, match="hf:owner/repo"):
        alice.predict("/etc/passwd", "tiny", "", 1.0, api_name="/add_lora")


@pytest.mark.slow
def test_a_draft_clip_is_remade_as_final_and_the_mix_is_saved(client_for, studio, ink_lora):
    from studio.ui.generate import job_rows

    alice, bob = client_for("alice"), client_for("bob")
    pid = alice.predict(ONE_SHOT, "", "16:9", api_name="/storyboard")
    alice.predict(pid, {"tier": "draft", "loras": [{"name": "ink", "scale": 0.5}]}, api_name="/save_project_options")
    queued = alice.predict(pid, api_name="/queue")

    def done(ids):
        jobs = [studio.service.jobs.get(i) for i in ids]
        assert not [j for j in jobs if j["status"] in ("failed", "cancelled")], [j["error"] for j in jobs]
        return all(j["status"] == "done" for j in jobs) and jobs

    draft = done(queued) or wait_for(lambda: done(queued), "the draft clip")
    draft = draft[-1]
    assert draft["params"]["tier"] == "draft" and draft["params"]["loras"][0]["scale"] == 0.5
    rows = job_rows(studio.service.shots.project_jobs("alice", pid), {})
    assert rows[0][3] == "draft"  # the Generate page's tier column
    assert {j["tier"] for j in alice.predict(pid, api_name="/jobs")} == {"draft"}
    with pytest.raises(AppError, match="not known"):
        bob.predict(draft["id"], api_name="/remake_job")
    final_id = alice.predict(draft["id"], api_name="/remake_job")
    assert alice.predict(draft["id"], api_name="/remake_job") == final_id  # asking twice queues once
    final = wait_for(lambda: done([final_id]), "the clip re-made as final")[0]
    assert final["params"]["tier"] == "final" and final["user_id"] == draft["user_id"]
    for key in ("prompt", "seed", "width", "height", "num_frames", "loras"):
        assert final["params"][key] == draft["params"][key], key
    with pytest.raises(AppError, match="already made at tier final"):
        alice.predict(final_id, api_name="/remake_job")

    mix = alice.predict(pid, 0.5, 0.7, 18, True, api_name="/timeline_mix")
    assert mix == {"voice_volume": 0.5, "music_volume": 0.7, "duck_db": 18, "smooth_motion": True}
    assert studio.service.timelines.timeline("alice", pid)["smooth_motion"] is True
    with pytest.raises(AppError, match="duck_db"):
        alice.predict(pid, 1.0, 1.0, 99, False, api_name="/timeline_mix")


@pytest.mark.slow
def test_the_tiny_planner_runs_on_the_workers_and_falls_back_visibly(client_for):
    alice = client_for("alice")
    pid = alice.predict(ONE_SHOT, "", "16:9", api_name="/storyboard")
    with pytest.raises(AppError, match="does not use a language model"):
        alice.predict(pid, api_name="/rewrite_prompts")
    before = alice.predict(pid, api_name="/project")["shots"]
    alice.predict(pid, {"planner": "tiny-planner"}, api_name="/save_project_options")
    result = alice.predict(pid, api_name="/rewrite_prompts")
    assert result == {"shots": len(before), "rewritten": 0}  # random weights: every answer is rejected
    after = alice.predict(pid, api_name="/project")["shots"]
    for old, new in zip(before, after, strict=True):
        assert new["prompt"] == old["prompt"] and new["rule_prompt"] == old["prompt"]
        assert new["prompt_source"] == "rules"
        assert any("language model (tiny-planner)" in w for w in new["warnings"])
