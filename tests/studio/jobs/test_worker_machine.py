"""Workers own their machine: a worker reports the weights in its own models folder and
Hugging Face cache, its device and free memory; the studio, whose own folders are empty,
chooses models from those reports, downloads run as jobs on the worker (into the worker's
folder, never the studio's), and clips are generated through it. Real worker process,
SQLite and Redis queues, the real tiny model."""

from __future__ import annotations

import pytest

from engine import weights_status
from engine.tiny import tiny_dir
from studio.services import compose
from tests.studio.jobs.conftest import wait_until

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]
REV = "0123456789abcdef0123456789abcdef01234567"


def fake_hub_snapshot(hf_home, repo_id: str) -> None:
    """A cached snapshot of a real model as huggingface_hub lays it out (refs/main -> snapshot),
    enough for `weights_status` to say "local" without the weights themselves."""
    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(REV)
    (repo / "snapshots" / REV).mkdir(parents=True)
    (repo / "snapshots" / REV / "model_index.json").write_text("{}")


@pytest.mark.parametrize("queue_url", ["sqlite", "redis"], indirect=True)
def test_a_worker_with_its_own_models_folder_serves_a_studio_that_has_none(queue_url, studio, workers,
                                                                            tmp_path, monkeypatch):
    worker_models, worker_hf = tmp_path / "worker-models", tmp_path / "worker-hf"
    fake_hub_snapshot(worker_hf, "Wan-AI/Wan2.1-T2V-1.3B-Diffusers")
    monkeypatch.setenv("SHOTLINE_MODELS_DIR", str(worker_models))
    monkeypatch.setenv("HF_HOME", str(worker_hf))
    workers.start("--threads", "1")
    studio_models, studio_hf = tmp_path / "studio-models", tmp_path / "studio-hf"
    monkeypatch.setenv("SHOTLINE_MODELS_DIR", str(studio_models))  # the studio's own folders: empty
    monkeypatch.setenv("HF_HOME", str(studio_hf))
    services = compose(studio.backend, defaults={"steps": 2, "max_frames": 9})

    def models():
        return {m["id"]: m for m in services.models.models()}

    try:
        wait_until(lambda: models()["wan2.1-t2v-1.3b"]["status"] == "local", timeout=120, what="the worker's report")
        # the studio has nothing itself, and still sees (and prefers) what its worker has
        assert weights_status("wan2.1-t2v-1.3b") == "missing" and weights_status("tiny") == "missing"
        assert services.models.default_model("ann") == "wan2.1-t2v-1.3b"
        assert models()["tiny"]["status"] == "buildable"  # built on first use, on the worker
        info = services.models.device_info()
        assert len(info) == 1 and " on cpu: " in info[0] and "GiB free" in info[0]

        # a download is a job that runs on the worker, into the worker's folder
        download = services.models.request_download("ann", "tiny")
        [job] = studio.mirror.wait_for([download], timeout=240)
        assert job["status"] == "done" and job["kind"] == "download", job
        assert (tiny_dir(worker_models) / "model_index.json").is_file()
        assert not (tiny_dir(studio_models) / "model_index.json").exists() and weights_status("tiny") == "missing"
        wait_until(lambda: models()["tiny"]["status"] == "local", timeout=60, what="the worker's next report")
        assert models()["tiny"]["workers"] == models()["wan2.1-t2v-1.3b"]["workers"] != []

        # a storyboard on the tiny model, generated through the worker
        pid = services.projects.create_from_script("ann", "镜头1：海边的灯塔。\n镜头2：海浪拍打礁石。", model="tiny")[0]
        ids = services.shots.queue_all("ann", pid)
        done = studio.mirror.wait_for(ids, timeout=300)
    except (TimeoutError, AssertionError) as err:
        raise AssertionError(f"{err}\n{workers.logs()}") from None
    assert [j["status"] for j in done] == ["done", "done"], [j["error"] for j in done]
    clips = [services.library.own_clip("ann", j["clip_id"]) for j in done]
    assert all(c["model"] == "tiny" and c["path"].endswith(".mp4") for c in clips)
