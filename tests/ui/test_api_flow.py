"""The studio over its HTTP API (gradio_client against the app launched in the test, a
real CPU worker with the tiny model): script -> storyboard -> queue -> follow progress
to done -> export -> a real MP4 with a provenance report."""

from __future__ import annotations

import time

import pytest

SCRIPT = ("镜头1：清晨的咖啡馆，阳光洒在木桌上。\n旁白：每一天，从一杯好咖啡开始。\n"
          "镜头2：咖啡师微笑着递上一杯拿铁。\n旁白：山谷咖啡，温暖你的早晨。")


def wait_for(fn, what: str, timeout: float = 150.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_script_to_export_over_the_api(client_for, studio):
    alice = client_for("alice")
    pid = alice.predict(SCRIPT, "", "16:9", api_name="/storyboard")
    project = alice.predict(pid, api_name="/project")
    assert project["status"] == "draft" and len(project["shots"]) >= 2
    assert all(s["prompt"] and s["job_id"] is None for s in project["shots"])
    assert any("咖啡" in s["text"] for s in project["shots"])

    queued = alice.predict(pid, api_name="/queue")
    assert len(queued) == len(project["shots"])
    seen_steps = set()

    def all_done():
        jobs = alice.predict(pid, api_name="/jobs")
        seen_steps.update((j["progress_step"], j["progress_total"]) for j in jobs if j["status"] == "running")
        assert not [j for j in jobs if j["status"] in ("failed", "cancelled")], jobs
        return len(jobs) == len(queued) and all(j["status"] == "done" for j in jobs) and jobs

    jobs = wait_for(all_done, "every clip to be done")
    assert all(j["clip_id"] for j in jobs)
    assert alice.predict(pid, api_name="/project")["status"] == "ready"  # no auto export without one-click
    assert seen_steps  # progress was followed while the worker ran

    # the live preview: the latest x0 strip of a finished job, cut into an animated GIF
    from PIL import Image

    from studio.ui.generate import animated_preview

    record = studio.service.jobs.get(jobs[0]["id"])
    gif = animated_preview(record)
    with Image.open(gif) as im:
        assert im.is_animated and im.n_frames >= 2

    # edit the timeline as the Timeline page does: a crossfade, a subtitle line, clips reversed
    from studio.ui.timeline import from_tables, to_tables

    data = studio.service.timelines.timeline("alice", pid)
    rows, subs = to_tables(data)
    rows[0][4:6] = ["crossfade", 0.2]
    subs.append([0.1, 0.5, "限时优惠"])
    data = from_tables(data, rows, subs)
    data["clips"].reverse()
    data["transitions"].reverse()
    saved = studio.service.timelines.save_timeline("alice", pid, data)
    assert saved["transitions"][-1]["kind"] == "crossfade" and saved["subtitles"][-1]["text"] == "限时优惠"
    with pytest.raises(ValueError, match="transition kind 'spin'"):
        studio.service.timelines.save_timeline("alice", pid, dict(saved, transitions=[{"kind": "spin", "duration_s": 1}]
                                                          + saved["transitions"][1:]))
    with pytest.raises(ValueError, match="is not one of your clips or uploads"):
        studio.service.timelines.save_timeline("alice", pid, dict(saved, clips=[{"source": "/etc/hostname"}] + saved["clips"][1:]))

    # a library clip reused at the end of the timeline (found by a Chinese search)
    hits = studio.service.library.search_library("alice", "咖啡")
    assert any(h["clip_id"] in [j["clip_id"] for j in jobs] for h in hits)
    studio.service.library.reuse_clip("alice", hits[0]["clip_id"], pid)
    reused = studio.service.timelines.timeline("alice", pid)
    assert len(reused["clips"]) == len(saved["clips"]) + 1 and reused["clips"][-1]["source"] == hits[0]["path"]
    reused["clips"].pop()
    reused["transitions"].pop()
    saved = studio.service.timelines.save_timeline("alice", pid, reused)

    preview_task = alice.predict(pid, api_name="/preview_api")
    preview = wait_for(lambda: (t := alice.predict(preview_task, api_name="/task"))["status"] in ("done", "failed") and t,
                       "the preview")
    assert preview["status"] == "done" and preview["result"]["preset"] == "gif-preview"

    task_id = alice.predict(pid, "720p", api_name="/export_api")
    task = wait_for(lambda: (t := alice.predict(task_id, api_name="/task"))["status"] in ("done", "failed") and t,
                    "the export")
    assert task["status"] == "done", task["error"]
    exports = alice.predict(pid, api_name="/exports")
    assert len(exports) == 1 and exports[0]["format"] == "mp4" and exports[0]["size_bytes"] > 10_000
    report = " ".join(exports[0]["verify"])
    assert "C2PA manifest: valid" in report and "AI-generated" in report
    downloaded = alice.predict(exports[0]["id"], api_name="/export_file")
    from studio.export.probe import probe

    info = probe(downloaded)
    assert info.has_video and info.has_audio and info.width == 1280 and info.duration_s > 1.0
    # the crossfade shortened the cut by its length
    clips_total = sum(c["out_s"] - c["in_s"] for c in saved["clips"])
    assert abs(exports[0]["duration_s"] - (clips_total - 0.2)) < 0.1
