"""A storyboard card's own choices through the services the Storyboard page calls
(studio.projects.cards), without a browser: start / end images through the upload and
engine checks (one sentence per bad image) onto the shot's jobs, continuing from the
previous shot (held behind its clip), the tier, the spoken line that does not fit and its
lengthening, and the card's thumbnail for its owner only. Real SQLite and the real queue;
no worker runs, so queued jobs stay queued."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from studio.jobs import QueueBackend
from studio.services import compose

SCRIPT = "镜头1：桌上放着一瓶香水。\n镜头2：镜头慢慢推近瓶身。"


@pytest.fixture
def shotline_home(tmp_path, monkeypatch):  # this module's own home: no live worker takes these jobs
    monkeypatch.setenv("SHOTLINE_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def studio(shotline_home):
    backend = QueueBackend(None)
    yield compose(backend, defaults={"steps": 2, "max_frames": 9})
    backend.close()


def board(studio, pid, user="ann"):
    return studio.projects.project(user, pid)


def photo(path, size, mode="RGB", colour=(200, 40, 40), **save):
    Image.new(mode, size, colour).save(path, **save)
    return str(path)


def chain_jobs(studio, job_id):
    """The job ids of the chain (one shot's clips) that `job_id` belongs to, in order."""
    return [r[0] for r in studio.db.execute(
        "SELECT job_id FROM chain_parts WHERE chain_id = (SELECT chain_id FROM chain_parts WHERE job_id = ?)"
        " ORDER BY part", [job_id]).fetchall()]


def job_params(studio, job_id):
    return json.loads(studio.db.execute("SELECT params FROM jobs WHERE id = ?", [job_id]).fetchone()[0])


def test_a_product_photo_is_checked_stored_and_reaches_the_shots_job(studio, tmp_path, shotline_home):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny-i2v")[0]
    flow = board(studio, pid)
    w, h = flow["options"]["width"], flow["options"]["height"]
    first, second = (e["id"] for e in flow["shots"])
    good = photo(tmp_path / "bottle.png", (w * 3, h * 3))
    stored = studio.cards.set_image("ann", pid, first, "image", good)
    assert stored.startswith(str(shotline_home)) and stored != good  # a copy in the data folder, under a new name
    studio.cards.set_continues("ann", pid, second, True)
    one, two = (chain_jobs(studio, last) for last in studio.shots.queue_all("ann", pid))
    assert job_params(studio, one[0])["image"] == stored  # the photo starts the shot's first clip
    # the continued shot's first clip waits for the first shot's last clip and takes its last frame instead
    row = studio.db.execute("SELECT after_job_id, from_last_frame, released_at FROM chain_parts WHERE job_id = ?",
                            [two[0]]).fetchone()
    assert tuple(row) == (one[-1], 1, None) and not job_params(studio, two[0]).get("image")


def test_each_bad_image_gets_one_sentence_naming_it(studio, tmp_path):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny-i2v")[0]
    flow = board(studio, pid)
    w, h = flow["options"]["width"], flow["options"]["height"]
    sid = flow["shots"][0]["id"]
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    cmyk = photo(tmp_path / "print.jpg", (w, h), mode="CMYK", colour=(0, 0, 0, 0))
    alpha = photo(tmp_path / "cutout.png", (w, h), mode="RGBA", colour=(255, 0, 0, 0))
    square = photo(tmp_path / "square.png", (h * 2, h * 2)) if w / h > 1.4 else photo(tmp_path / "wide.png", (w * 4, h))
    frames = [Image.new("RGB", (w, h), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(tmp_path / "moving.webp", save_all=True, append_images=frames[1:])
    cases = {str(text): "not an image", cmyk: "CMYK", alpha: "alpha", square: "shaped like",
             str(tmp_path / "moving.webp"): "animated"}
    for path, why in cases.items():
        with pytest.raises(ValueError) as err:
            studio.cards.set_image("ann", pid, sid, "image", path)
        sentence = str(err.value)
        assert why in sentence and "start image" in sentence and path.rsplit("/", 1)[-1] in sentence, sentence
        assert sentence.count(". ") == 0 and "/" not in sentence.split("(")[0], sentence  # one sentence, no path
    assert board(studio, pid)["shots"][0]["shot"].get("image", "") == ""  # nothing was kept


def test_a_model_without_images_says_which_models_take_them(studio, tmp_path):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    first, second = (e["id"] for e in board(studio, pid)["shots"])
    with pytest.raises(ValueError, match=r"tiny takes no start image; models that do: .*tiny-i2v"):
        studio.cards.set_image("ann", pid, first, "image", photo(tmp_path / "p.png", (64, 64)))
    with pytest.raises(ValueError, match=r"cannot continue .*models that can: .*tiny-i2v"):
        studio.cards.set_continues("ann", pid, second, True)
    i2v = studio.projects.create_from_script("ann", SCRIPT, model="tiny-i2v")[0]
    a, b = (e["id"] for e in board(studio, i2v)["shots"])
    with pytest.raises(ValueError, match="first shot cannot continue"):
        studio.cards.set_continues("ann", i2v, a, True)
    with pytest.raises(ValueError, match=r"takes no end image; models that do: .*"):
        studio.cards.set_image("ann", i2v, a, "last_image", photo(tmp_path / "e.png", (64, 64)))


def test_the_tier_is_saved_on_the_shot_and_reaches_its_job(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    sid = board(studio, pid)["shots"][0]["id"]
    studio.cards.set_tier("ann", pid, sid, "draft")
    assert board(studio, pid)["shots"][0]["shot"]["tier"] == "draft"
    studio.projects.edit_shot("ann", pid, sid, text="桌上放着一瓶蓝色的香水。")  # a new text keeps the card's choices
    assert board(studio, pid)["shots"][0]["shot"]["tier"] == "draft"
    ids = studio.shots.queue_all("ann", pid)
    assert all(job_params(studio, j)["tier"] == "draft" for j in chain_jobs(studio, ids[0]))
    with pytest.raises(ValueError, match="draft or final"):
        studio.cards.set_tier("ann", pid, sid, "best")
    i2v = studio.projects.create_from_script("ann", SCRIPT, model="tiny-i2v")[0]
    with pytest.raises(ValueError, match=r"tiny-i2v has no draft tier; models with one: .*tiny"):
        studio.cards.set_tier("ann", i2v, board(studio, i2v)["shots"][0]["id"], "draft")


def test_an_overlong_spoken_line_is_flagged_with_numbers_and_lengthened(studio):
    script = "镜头1：清晨的咖啡馆。\n旁白：每一天，都从一杯用心冲煮、香气四溢的好咖啡开始，温暖你的整个早晨。\n镜头2：窗外下起小雨。"
    pid = studio.projects.create_from_script("ann", script, model="tiny")[0]
    sid = board(studio, pid)["shots"][0]["id"]
    studio.projects.edit_shot("ann", pid, sid, duration_s=1.0)
    flags = studio.cards.voice_check("ann", pid)
    assert list(flags) == [sid]
    found = flags[sid]
    assert found["shot_s"] == 1.0 and found["voice_s"] > 1.0 and found["lengthen_to"] > found["voice_s"]
    assert studio.cards.lengthen("ann", pid, sid, studio.projects) == found["lengthen_to"]
    assert board(studio, pid)["shots"][0]["shot"]["duration_s"] == found["lengthen_to"]
    assert studio.cards.voice_check("ann", pid) == {}
    with pytest.raises(ValueError, match="already fit"):
        studio.cards.lengthen("ann", pid, sid, studio.projects)


def test_the_thumbnail_is_the_start_image_for_its_owner_only(studio, tmp_path):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny-i2v")[0]
    flow = board(studio, pid)
    sid = flow["shots"][0]["id"]
    assert studio.cards.thumbnail("ann", sid) is None  # no image, no clip, no preview yet
    studio.cards.set_image("ann", pid, sid, "image",
                           photo(tmp_path / "bottle.png", (flow["options"]["width"] * 8, flow["options"]["height"] * 8)))
    thumb = studio.cards.thumbnail("ann", sid)
    with Image.open(thumb) as img:
        assert img.format == "JPEG" and max(img.size) <= 320 and img.getpixel((5, 5))[0] > 150
    assert studio.cards.thumbnail("ben", sid) is None
    assert studio.cards.thumbnail("ann", "0" * 32) is None
