"""Chained clips and continued shots through the real queue, a real in-process worker and
the real tiny models: a continued shot's job starts only after its predecessor is done and
the pipeline receives that clip's last frame, pixel for pixel; an 8 s shot on a 5 s model
is one shot made of two chained clips joined into one clip; a character card's reference
image reaches every job of every shot that names it; a lost predecessor fails the parts
after it with a sentence."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from engine import read_frames
from studio.jobs import chain
from studio.prompts.characters import CharacterCard
from tests.studio.jobs.conftest import wait_until

pytestmark = [pytest.mark.timeout(600)]


def test_an_8_s_shot_on_a_5_s_model_is_two_chained_clips():
    plan = chain.plan_shot("tiny-vace", 8.0)
    assert plan.parts == (65, 65) and plan.continuous and plan.frames == 129
    assert abs(plan.duration_s - 8.0) < 0.1 and "each starting from the last frame" in plan.note
    assert chain.plan_shot("tiny-vace", 4.0).parts == (65,)
    text_only = chain.plan_shot("tiny-a14b", 8.0)  # the tiny models chain where the real ones do
    assert text_only.parts == (65, 65) and not text_only.continuous
    assert "takes no start image, so the joins are cuts" in text_only.note
    with pytest.raises(ValueError, match=r"^duration_s -1 is not accepted: seconds above 0"):
        chain.plan_shot("tiny-vace", -1)


@pytest.fixture
def worker(sqlite_studio, monkeypatch):
    """A real JobRunner in a thread of this process, on its own queue connection, with a
    spy on the arguments that carry images into the diffusers pipeline call."""
    import importlib

    from studio.jobs.queue import QueueBackend
    from studio.jobs.worker import JobRunner

    engine_generate = importlib.import_module("engine.generate")  # the module; `engine.generate` is the function
    handed: list[dict] = []
    real = engine_generate.condition_kwargs

    def spy(class_name, images, width, height, num_frames):
        out = real(class_name, images, width, height, num_frames)
        handed.append({"images": images, **out})
        return out

    monkeypatch.setattr(engine_generate, "condition_kwargs", spy)
    backend = QueueBackend(None)
    runner = JobRunner(backend, heartbeat_s=0.2, poll_s=0.05, retry_base_s=0.1, threads=1)
    backend.runner = runner
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            task = backend.huey.dequeue()
            if task is None:
                stop.wait(0.01)
                continue
            backend.huey.execute(task)

    thread = threading.Thread(target=loop, daemon=True, name="test-worker")
    thread.start()
    yield handed
    stop.set()
    thread.join(60)
    backend.close()


def _once(handed: list[dict]) -> list[dict]:
    """The calls, one per job: on a loaded machine a job whose worker missed heartbeats is
    run again (the queue's own recovery), handing the same images (their copies sit in a
    folder named after the job) to the pipeline twice."""
    seen, out = set(), []
    for call in handed:
        if call["images"] not in seen:
            seen.add(call["images"])
            out.append(call)
    return out


def tiny(model: str, prompt: str, **extra) -> dict:
    return {"prompt": prompt, "model": model, "width": 64, "height": 64, "steps": 2, "seed": 3,
            "preview_every": 0, **extra}


def _clip_path(studio, job_id: str) -> str:
    return studio.db.execute("SELECT c.path FROM jobs j JOIN clips c ON c.id = j.clip_id WHERE j.id = ?",
                             [job_id]).fetchone()[0]


def test_continued_shots_run_in_order_with_the_last_frame_and_join_into_one_clip(sqlite_studio, worker, tmp_path):
    studio, handed = sqlite_studio, worker
    photo = tmp_path / "product.png"
    Image.new("RGB", (64, 64), (200, 120, 40)).save(photo)
    shot1 = chain.submit_shot(studio.jobs, tiny("tiny-vace", "a bottle on a table", image=str(photo)),
                              duration_s=1.0, shot_id="s1")
    shot2 = chain.submit_shot(studio.jobs, tiny("tiny-vace", "the bottle turns slowly"), duration_s=8.0,
                              after=shot1.job_ids[-1], shot_id="s2")
    assert len(shot1.job_ids) == 1 and len(shot2.job_ids) == 2  # one shot, two chained clips
    assert all(chain.is_held(studio.db, j) for j in shot2.job_ids)  # nothing runs before its clip exists
    try:
        jobs = studio.mirror.wait_for([*shot1.job_ids, *shot2.job_ids], timeout=400)
    except TimeoutError as err:
        raise AssertionError(f"{err}: {[studio.jobs.get(j) for j in shot2.job_ids]}") from None
    assert [j["status"] for j in jobs] == ["done", "done", "done"], [j["error"] for j in jobs]
    first, part1, part2 = jobs
    assert part1["started_at"] >= first["finished_at"] and part2["started_at"] >= part1["finished_at"]

    # the pixels handed to the pipeline: the uploaded photo, then each clip's last frame
    handed = _once(handed)
    assert len(handed) == 3, [c["images"] for c in handed]
    assert np.array_equal(np.asarray(handed[0]["video"][0]), np.asarray(Image.open(photo)))
    for before, call in ((first, handed[1]), (part1, handed[2])):
        last = read_frames(_clip_path(studio, before["id"]))[-1]
        assert np.array_equal(np.asarray(call["video"][0]), last)
        assert np.asarray(call["mask"][0]).max() == 0 and np.asarray(call["mask"][1]).min() == 255
    assert [len(c["video"]) for c in handed] == [17, 65, 65]

    # one shot, one clip: the parts joined without the repeated frame
    # the mirror joins the parts right after the last one is recorded
    joined = wait_until(lambda: chain.shot_clip(studio.db, part1["id"]), timeout=60, what="the joined clip")
    assert joined == chain.shot_clip(studio.db, part2["id"]) and joined["parts"] == 2
    frames = read_frames(joined["path"])
    assert frames.shape[0] == 129 and joined["num_frames"] == 129 and abs(joined["duration_s"] - 8.06) < 0.01
    a, b = read_frames(_clip_path(studio, part1["id"])), read_frames(_clip_path(studio, part2["id"]))
    assert np.abs(frames[:65].astype(int) - a.astype(int)).mean() < 4  # re-encoded once, same pictures
    assert np.abs(frames[65:].astype(int) - b[1:].astype(int)).mean() < 4
    assert joined["shot_id"] == "s2" and chain.chain_status(studio.db, shot2.chain_id)["status"] == "done"


def test_a_character_reference_reaches_every_job_of_every_shot_naming_it(sqlite_studio, worker, tmp_path):
    studio, handed = sqlite_studio, worker
    face = tmp_path / "lin.png"
    Image.new("RGB", (48, 64), (230, 190, 160)).save(face)
    cards = [CharacterCard("林", "short black hair", ("Lin",), str(face)), CharacterCard("Bo", "tall", (), None)]
    shots = []
    for names, duration in ((["Lin"], 6.0), (["Bo"], 1.0), (["林", "Bo"], 1.0)):
        refs = chain.references_for(names, cards)
        shots.append(chain.submit_shot(studio.jobs, tiny("tiny-vace", "she walks"), duration_s=duration,
                                       references=refs))
    ids = [j for s in shots for j in s.job_ids]
    assert len(ids) == 4  # 6 s on tiny-vace: two chained parts
    jobs = studio.mirror.wait_for(ids, timeout=400)
    assert [j["status"] for j in jobs] == ["done"] * 4, [j["error"] for j in jobs]
    naming = {j for s in (shots[0], shots[2]) for j in s.job_ids}
    for job in jobs:
        refs = job["params"].get("reference_images", [])
        assert refs == ([str(face)] if job["id"] in naming else [])
    with_refs = [c for c in _once(handed) if c.get("reference_images")]
    assert len(with_refs) == 3
    for call in with_refs:
        assert np.array_equal(np.asarray(call["reference_images"][0]), np.asarray(Image.open(face)))
    # on a model without references the card's image is not sent, and the plan says so
    text = chain.submit_shot(studio.jobs, tiny("tiny", "she walks", steps=1), duration_s=0.5,
                             references=chain.references_for(["Lin"], cards))
    assert not text.references_used and not studio.jobs.get(text.job_ids[0])["params"]["reference_images"]
    studio.mirror.wait_for(text.job_ids, timeout=200)


def test_a_lost_predecessor_fails_the_parts_after_it_and_text_models_cannot_continue(sqlite_studio, tmp_path):
    studio = sqlite_studio  # no worker: the first shot is cancelled while still queued
    first = chain.submit_shot(studio.jobs, tiny("tiny-vace", "a street at night"), duration_s=1.0)
    second = chain.submit_shot(studio.jobs, tiny("tiny-vace", "the street at dawn"), duration_s=8.0,
                               after=first.job_ids[0])
    assert studio.jobs.cancel(first.job_ids[0]) == "cancelled"
    studio.mirror.sweep(check_orphans=True)
    jobs = [studio.jobs.get(j) for j in second.job_ids]
    assert [j["status"] for j in jobs] == ["failed", "failed"]
    assert jobs[0]["error"] == f"Not generated: the clip it continues (job {first.job_ids[0][:8]}) was cancelled."
    assert jobs[1]["error"] == f"Not generated: the clip it continues (job {second.job_ids[0][:8]}) failed."
    assert chain.chain_status(studio.db, second.chain_id)["status"] == "failed"
    with pytest.raises(ValueError, match=r"^after '[0-9a-f]+' is not accepted: tiny takes no start image, so a shot "
                                         r"cannot continue from the previous one; models that can: .*tiny-vace"):
        chain.submit_shot(studio.jobs, tiny("tiny", "x"), after=first.job_ids[0])
    # a refused request leaves no chain waiting for parts that never come
    with pytest.raises(ValueError, match=r"^prompt '' is not accepted: a non-empty text\.$"):
        chain.submit_shot(studio.jobs, tiny("tiny-vace", ""), duration_s=8.0)
    assert studio.db.execute("SELECT status, error FROM shot_chains ORDER BY created_at DESC LIMIT 1").fetchone() == (
        "failed", "prompt '' is not accepted: a non-empty text.")


def test_every_tiny_architecture_generates_through_the_queue(sqlite_studio, worker, tmp_path):
    studio = sqlite_studio
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 64), (40, 160, 90)).save(photo)
    image = str(photo)
    requests = [tiny("tiny-a14b", "a lighthouse"), tiny("tiny-ti2v", "a lighthouse", image=image),
                tiny("tiny-i2v", "a lighthouse", image=image),
                tiny("tiny-i2v-a14b", "a lighthouse", image=image, last_image=image),
                tiny("tiny-vace", "a lighthouse", reference_images=[image])]
    ids = [studio.jobs.submit({**r, "num_frames": 9}) for r in requests]
    # a text-only model chains too: separate clips joined end to end (the plan says they are cuts)
    text = chain.submit_shot(studio.jobs, tiny("tiny", "a lighthouse", steps=1), duration_s=3.0)
    jobs = studio.mirror.wait_for([*ids, *text.job_ids], timeout=400)
    assert [j["status"] for j in jobs] == ["done"] * (5 + len(text.job_ids)), [j["error"] for j in jobs]
    models = [studio.db.execute("SELECT model FROM clips WHERE id = ?", [j["clip_id"]]).fetchone()[0] for j in jobs[:5]]
    assert models == ["tiny-a14b", "tiny-ti2v", "tiny-i2v", "tiny-i2v-a14b", "tiny-vace"]
    assert len(text.job_ids) == 2 and not text.plan.continuous
    joined = wait_until(lambda: chain.shot_clip(studio.db, text.job_ids[0]), timeout=60, what="the joined clip")
    assert read_frames(joined["path"]).shape[0] == joined["num_frames"] == sum(text.plan.parts)


def test_images_travel_with_the_job_not_by_shared_disk(sqlite_studio, tmp_path, request):
    studio = sqlite_studio
    photo = tmp_path / "upload.png"
    Image.new("RGB", (64, 64), (10, 200, 250)).save(photo)
    pixels = np.asarray(Image.open(photo)).copy()
    job_id = studio.jobs.submit(tiny("tiny-i2v", "the sea", image=str(photo), num_frames=9))
    photo.unlink()  # the worker's machine never sees the studio's file
    handed = request.getfixturevalue("worker")
    (job,) = studio.mirror.wait_for([job_id], timeout=300)
    assert job["status"] == "done", job["error"]
    assert np.array_equal(np.asarray(handed[0]["image"]), pixels)
    # dropped with the job's other keys, just after the mirror records the job as done
    wait_until(lambda: studio.backend.get_bytes(f"input:{job_id}") is None, timeout=30, what="the job's input dropped")
    meta = studio.db.execute("SELECT metadata FROM clips WHERE id = ?", [job["clip_id"]]).fetchone()[0]
    assert '"name": "upload.png"' in meta and str(tmp_path) not in meta


def test_a_storyboard_of_continued_shots_runs_in_order_with_the_right_start_frames(sqlite_studio, worker, tmp_path):
    studio, handed = sqlite_studio, worker
    street = tmp_path / "street.png"
    Image.new("RGB", (64, 64), (90, 90, 110)).save(street)
    face = tmp_path / "mei.png"
    Image.new("RGB", (64, 64), (240, 200, 180)).save(face)
    board = [{"prompt": "a wet street at night", "duration_s": 1.0, "image": str(street), "shot_id": "1"},
             {"prompt": "Mei walks in", "duration_s": 1.0, "continues": True, "characters": ["Mei"], "shot_id": "2"},
             {"prompt": "Mei looks up", "duration_s": 1.0, "continues": True, "characters": ["Mei"], "shot_id": "3"}]
    shots = chain.submit_storyboard(studio.jobs, board, {"model": "tiny-vace", "width": 64, "height": 64, "steps": 1,
                                                         "preview_every": 0},
                                    cards=[CharacterCard("Mei", "red coat", (), str(face))])
    ids = [s.job_ids[0] for s in shots]
    jobs = studio.mirror.wait_for(ids, timeout=300)
    handed = _once(handed)
    assert [j["status"] for j in jobs] == ["done"] * 3, [j["error"] for j in jobs]
    assert jobs[0]["finished_at"] <= jobs[1]["started_at"] and jobs[1]["finished_at"] <= jobs[2]["started_at"]
    assert np.array_equal(np.asarray(handed[0]["video"][0]), np.asarray(Image.open(street)))
    for i in (1, 2):  # each continued shot starts on the last frame of the one before, and carries Mei
        assert np.array_equal(np.asarray(handed[i]["video"][0]), read_frames(_clip_path(studio, ids[i - 1]))[-1])
        assert np.array_equal(np.asarray(handed[i]["reference_images"][0]), np.asarray(Image.open(face)))
    assert "reference_images" not in handed[0]
    with pytest.raises(ValueError, match=r"^shot 1: continues is not accepted on the first shot"):
        chain.submit_storyboard(studio.jobs, [{"prompt": "x", "continues": True}], {"model": "tiny-vace"})
    with pytest.raises(ValueError, match=r"^shot 2: after '[0-9a-f]+' is not accepted: tiny takes no start image"):
        chain.submit_storyboard(studio.jobs, [{"prompt": "x"}, {"prompt": "y", "continues": True}],
                                {"model": "tiny", "steps": 1})
