"""TTS as a job kind: a real worker speaks a line; a bad voice is refused before queueing."""

from __future__ import annotations

import wave

import pytest


def test_speak_runs_as_a_job_on_a_worker(studio, workers) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="voice 'nobody' is not accepted"):
        studio.jobs.submit({"text": "hi", "lang": "en", "voice": "nobody"}, kind="speak")
    job_id = studio.jobs.submit({"text": "Coffee is ready.", "lang": "en"}, kind="speak")
    workers.start()
    job = studio.mirror.wait_for([job_id], timeout=90)[0]
    assert job["status"] == "done", workers.logs()
    result = job["result"]
    assert (result["engine"], result["voice"], result["robotic"]) == ("espeak-ng", "espeak-en", True)
    with wave.open(result["path"]) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(result["duration_s"], abs=0.01)
