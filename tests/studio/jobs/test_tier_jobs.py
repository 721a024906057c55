"""The draft tier through the queue with the real tiny model: the job and its clip record
the tier; "re-make as final" queues the same prompt and seed at the card's settings."""

from __future__ import annotations

import pytest

from engine import get_card
from studio.jobs.remake import remake


@pytest.mark.parametrize("queue_url", ["sqlite"], indirect=True)
def test_draft_job_then_remake_as_final(studio, workers):
    params = {"prompt": "a lighthouse in fog", "model": "tiny", "width": 64, "height": 64, "num_frames": 9,
              "seed": 21, "tier": "draft"}
    draft_id = studio.jobs.submit(params, labels={"tags": ["previs"]})
    final_id = remake(studio.jobs, draft_id, "final")
    assert remake(studio.jobs, draft_id, "final") == final_id  # asking twice queues nothing more
    workers.start("--threads", "1")
    try:
        draft, final = studio.mirror.wait_for([draft_id, final_id], timeout=240)
    except TimeoutError as err:
        raise AssertionError(f"{err}\n{workers.logs()}") from None
    assert (draft["status"], final["status"]) == ("done", "done"), (draft["error"], final["error"])
    card = get_card("tiny")
    assert draft["params"]["tier"] == "draft" and final["params"]["tier"] == "final"
    made = {name: job["result"]["result"]["metadata"] for name, job in (("draft", draft), ("final", final))}
    assert (made["draft"]["tier"], made["draft"]["steps"], made["draft"]["guidance"]) == (
        "draft", card.draft["steps"], card.draft["guidance"])
    assert (made["final"]["tier"], made["final"]["steps"], made["final"]["guidance"]) == (
        "final", card.steps, card.guidance)
    assert made["final"]["seed"] == made["draft"]["seed"] == 21
    assert made["final"]["prompt"] == made["draft"]["prompt"]
    clip_meta = studio.db.execute("SELECT metadata FROM clips WHERE id = ?", [draft["clip_id"]]).fetchone()[0]
    assert '"tier": "draft"' in clip_meta
    assert "remade-from-" + draft_id[:8] in final["labels"]["tags"]
    with pytest.raises(ValueError, match="already made at tier final"):
        remake(studio.jobs, final_id, "final")


def test_jobs_submit_takes_loras_and_the_tier(tmp_path):
    from studio.cli.jobs import _request_from

    lora = tmp_path / "ink.safetensors"
    lora.write_bytes(b"")
    req = _request_from({"prompt": "a boat", "lora": [f"{lora}:0.5", "hf:me/ink/ink.safetensors"], "tier": "draft"})
    assert req["tier"] == "draft"
    assert req["loras"] == [{"source": str(lora), "scale": 0.5, "source_2": None},
                            {"source": "hf:me/ink/ink.safetensors", "scale": None, "source_2": None}]
