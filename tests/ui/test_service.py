"""The rooms' services the pages call (studio.services), without a browser: storyboard editing,
inline safety, queueing with per-shot parameters, regenerate / retry, the pipeline's
failure and recovery, per-user isolation, and logins (hashes, users file, env, CLI).
Real SQLite and the real queue; no worker runs, so queued jobs stay queued."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from studio.accounts.auth import add_user, authenticator, check_password, hash_password, load_users
from studio.db import open_database
from studio.jobs import QueueBackend, chain
from studio.services import compose

SCRIPT = "镜头1：清晨的咖啡馆。\n镜头2：咖啡师递上拿铁，顾客点头。\n镜头3：窗外下起小雨。"


@pytest.fixture
def shotline_home(tmp_path, monkeypatch):  # this module's own home: no live worker takes these jobs
    monkeypatch.setenv("SHOTLINE_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def studio(shotline_home):
    backend = QueueBackend(None)
    yield compose(backend, defaults={"steps": 2, "max_frames": 9})
    backend.close()


def shots(studio, pid, user="ann"):
    return studio.projects.project(user, pid)["shots"]


def test_script_becomes_a_project_only_its_user_sees(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny", style="cinematic", aspect="9:16")[0]
    flow = studio.projects.project("ann", pid)
    assert flow["status"] == "draft" and flow["options"]["preset"] == "vertical-pad"
    assert flow["options"]["width"] < flow["options"]["height"]  # a portrait size of the tiny model
    assert [e["shot"]["index"] for e in flow["shots"]] == [1, 2, 3]
    assert all(e["shot"]["prompt"] and e["shot"]["style"] == "cinematic" for e in flow["shots"])
    assert [p["project_id"] for p in studio.projects.projects("ann")] == [pid]
    assert studio.projects.projects("ben") == []
    with pytest.raises(ValueError, match="is not known"):
        studio.projects.project("ben", pid)
    with pytest.raises(ValueError, match="is not known"):
        studio.shots.queue_all("ben", pid)
    with pytest.raises(ValueError, match="Aspect ratio '4:3' is not accepted"):
        studio.projects.create_from_script("ann", SCRIPT, aspect="4:3")


def test_add_split_merge_delete_reorder_keep_the_board_consistent(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    first, second, third = (e["id"] for e in shots(studio, pid))
    new = studio.projects.add_shot("ann", pid, "一只猫跳上窗台。", after=first)
    assert [e["id"] for e in shots(studio, pid)] == [first, new, second, third]
    assert "猫" in shots(studio, pid)[1]["shot"]["prompt"]
    studio.projects.edit_shot("ann", pid, second, text="咖啡师递上拿铁。顾客点头微笑。")  # a split is at a sentence break
    part = studio.projects.split_shot("ann", pid, second)
    texts = [e["shot"]["text"] for e in shots(studio, pid)]
    assert len(texts) == 5 and texts[2] and texts[3] and "咖啡师" in texts[2]
    studio.projects.merge_shot("ann", pid, second)
    assert len(shots(studio, pid)) == 4 and "顾客" in shots(studio, pid)[2]["shot"]["text"]
    assert part not in [e["id"] for e in shots(studio, pid)]
    studio.projects.delete_shot("ann", pid, new)
    studio.projects.reorder("ann", pid, [third, second, first])
    board = shots(studio, pid)
    assert [e["id"] for e in board] == [third, second, first] and [e["shot"]["index"] for e in board] == [1, 2, 3]
    db = open_database()
    positions = db.execute("SELECT id, position FROM shots WHERE project_id = ? ORDER BY position", [pid]).fetchall()
    assert [r[0] for r in positions] == [third, second, first]
    with pytest.raises(ValueError, match="every shot of the storyboard exactly once"):
        studio.projects.reorder("ann", pid, [third, first])


def test_safety_warning_shows_on_the_card_and_a_blocked_shot_is_not_queued(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    sid = shots(studio, pid)[0]["id"]
    shot = studio.projects.edit_shot("ann", pid, sid, prompt="a man stabs another man, blood everywhere")
    assert shot["safety"]["blocked"] and any("Blocked" in w for w in shot["warnings"])
    with pytest.raises(ValueError, match="Shot 1 is blocked by the safety policy"):
        studio.shots.queue_all("ann", pid)
    shot = studio.projects.edit_shot("ann", pid, sid, prompt="a barista pours latte art")
    assert not shot["safety"]["blocked"] and not any("Blocked" in w for w in shot["warnings"])
    # a shot keeps the script's length, however long the model's clips are (chained clips make it)
    assert studio.projects.edit_shot("ann", pid, sid, duration_s=9)["duration_s"] == 9
    with pytest.raises(ValueError, match="Duration 9000 s is not accepted"):
        studio.projects.edit_shot("ann", pid, sid, duration_s=9000)


def test_queue_regenerate_retry_and_the_runner_reporting_a_failed_shot(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    ids = studio.shots.queue_all("ann", pid)
    assert len(ids) == 3 and studio.shots.queue_all("ann", pid) == []  # live jobs are not queued twice
    job = studio.jobs.get(ids[0])
    assert job["params"]["steps"] == 2 and job["params"]["num_frames"] <= 9 and job["params"]["model"] == "tiny"
    assert job["shot_id"] == shots(studio, pid)[0]["id"] and job["labels"]["shot_text"]
    seed = shots(studio, pid)[1]["shot"]["seed"]
    again = studio.shots.regenerate_shot("ann", pid, shots(studio, pid)[1]["id"])
    first_part = chain.sibling_jobs(studio.db, again)[0]  # a shot longer than one clip is a chain of clips
    assert studio.jobs.get(ids[1])["status"] == "cancelled" and studio.jobs.get(first_part)["params"]["seed"] == seed + 1
    with pytest.raises(ValueError, match="is not known"):
        studio.shots.cancel_job("ben", ids[2])
    studio.shots.cancel_job("ann", ids[2])  # the pipeline hears of it at once: no loop polls the flows
    flow = studio.projects.project("ann", pid)
    assert flow["status"] == "failed" and flow["error"].startswith("Shot 3 cancelled")
    retried = studio.shots.retry_job("ann", ids[2])
    assert studio.projects.project("ann", pid)["status"] == "generating" and shots(studio, pid)[2]["job_id"] == retried
    studio.pipeline.job_ended(ids[2])  # a late event for the old job changes nothing
    assert studio.projects.project("ann", pid)["status"] == "generating"
    studio.shots.set_priority("ann", retried, 50)
    assert studio.jobs.get(retried)["priority"] == 50


def test_passwords_are_salted_scrypt_hashes():
    one, two = hash_password("correct horse"), hash_password("correct horse")
    assert one != two and one.startswith("scrypt$") and "correct" not in one
    assert check_password("correct horse", one) and not check_password("wrong horse!", one)
    with pytest.raises(ValueError, match="at least 8"):
        hash_password("short")


def test_users_from_file_and_environment(shotline_home, monkeypatch):
    monkeypatch.delenv("SHOTLINE_USERS_FILE", raising=False)
    monkeypatch.delenv("SHOTLINE_USERS", raising=False)
    assert authenticator() is None  # no users: no login
    path = add_user("alice", "alice-secret")
    assert path == shotline_home / "users.json" and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "alice-secret" not in path.read_text()
    monkeypatch.setenv("SHOTLINE_USERS", f"bob:{hash_password('bob-secret')}")
    check = authenticator()
    assert check("alice", "alice-secret") and check("bob", "bob-secret") and not check("bob", "alice-secret")
    toml = shotline_home / "users.toml"
    toml.write_text(f'[users]\ncarol = "{hash_password("carol-secret")}"\n')
    monkeypatch.setenv("SHOTLINE_USERS_FILE", str(toml))
    assert sorted(load_users()) == ["bob", "carol"]
    monkeypatch.setenv("SHOTLINE_USERS", "dave:plaintext")
    with pytest.raises(ValueError, match="SHOTLINE_USERS entry 'dave' is not accepted"):
        load_users()


def test_users_add_command_reads_the_password_from_stdin(shotline_home):
    env = {**os.environ, "SHOTLINE_HOME": str(shotline_home)}
    env.pop("SHOTLINE_USERS_FILE", None)
    run = subprocess.run([sys.executable, "-m", "studio.cli", "users", "add", "erin"], input="erin-password\n",
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    stored = json.loads((shotline_home / "users.json").read_text())["users"]["erin"]
    assert check_password("erin-password", stored)
    bad = subprocess.run([sys.executable, "-m", "studio.cli", "users", "add", "no spaces"], input="long-password\n",
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "User name 'no spaces' is not accepted" in bad.stderr


def test_a_personalisation_csv_makes_one_project_per_row(studio, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("name,city\n王小雨,杭州\n陈浩,成都\n", encoding="utf-8")
    ids = studio.projects.create_from_script("ann", "镜头1：{name}走在{city}的街头。", model="tiny", csv_file=str(csv))
    texts = [studio.projects.project("ann", pid)["shots"][0]["shot"]["text"] for pid in ids]
    assert len(ids) == 2 and "王小雨" in texts[0] and "杭州" in texts[0] and "陈浩" in texts[1]
    assert [studio.projects.project("ann", pid)["name"].endswith(f"#{n}") for n, pid in enumerate(ids, start=1)] == [True, True]


def test_variants_are_queued_as_labelled_jobs_on_the_board(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    ids = studio.variants.queue_variants("ann", pid, ["a red kite over a beach", "一只风筝飞过海滩"], ["anime"], [1, 2])
    board = studio.variants.variant_board("ann", pid)
    assert len(ids) == 4 and sorted(v["label"] for v in board) == [
        "shot1-anime-seed1", "shot1-anime-seed2", "shot2-anime-seed1", "shot2-anime-seed2"]
    job = studio.jobs.get(ids[0])
    assert job["params"]["steps"] == 2 and job["params"]["num_frames"] <= 9 and "variant" in job["labels"]["tags"]
    assert studio.variants.variant_board("ann", pid) and not [v for v in board if v["winner"]]
    with pytest.raises(ValueError, match="is not known"):
        studio.variants.variant_board("ben", pid)


def test_saving_a_card_changes_only_what_was_edited(studio):
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    entry = shots(studio, pid)[0]
    sid, shot = entry["id"], entry["shot"]
    card = {"text": shot["text"], "prompt": shot["prompt"], "style": shot.get("style", ""), "seed": shot["seed"],
            "camera_size": shot["camera"]["size"], "duration_s": shot["duration_s"], "subtitle": shot["subtitle"]}
    # a new text (two sentences) and a new camera in one save: the text is kept whole, the camera wins
    edited = studio.projects.edit_shot("ann", pid, sid, **{**card, "text": "小猫跳上窗台。它看着窗外的雨。",
                                                  "camera_size": "wide"})
    assert edited["text"] == "小猫跳上窗台。它看着窗外的雨。" and "小猫" in edited["prompt"]
    assert edited["camera"]["size"] == "wide" and edited["prompt"] != shot["prompt"]
    # a new style recomposes the prompt with the style's words
    styled = studio.projects.edit_shot("ann", pid, sid, style="ink-wash")
    assert styled["style"] == "ink-wash" and styled["prompt"] != edited["prompt"]
    # an explicit prompt is kept as written
    assert studio.projects.edit_shot("ann", pid, sid, prompt="手写的提示词")["prompt"] == "手写的提示词"


def test_uploads_are_checked_and_stored_under_fresh_names(studio, tmp_path, shotline_home):
    from studio.timeline.assemble import DEMO_LOGO, DEMO_MUSIC

    music = studio.assets.store_upload("ann", "music", str(DEMO_MUSIC))
    logo = studio.assets.store_upload("ann", "logo", str(DEMO_LOGO))
    for stored, original in ((music, DEMO_MUSIC), (logo, DEMO_LOGO)):
        assert stored.startswith(str(shotline_home / "media" / "uploads")) and original.name not in stored
    fake = tmp_path / "song.mp3"
    fake.write_bytes(b"not really audio" * 100)
    with pytest.raises(ValueError):
        studio.assets.store_upload("ann", "music", str(fake))
    assert len(list((shotline_home / "media" / "uploads").iterdir())) == 2  # the bad one left nothing behind
    with pytest.raises(ValueError, match="must end in"):
        studio.assets.store_upload("ann", "logo", str(fake))
    small = compose(studio.backend, max_upload_bytes=1000)
    with pytest.raises(ValueError, match=r"is 8 KB; at most 1 KB is accepted"):
        small.assets.store_upload("ann", "logo", str(DEMO_LOGO))


def test_the_model_menu_never_calls_the_tiny_model_missing(studio):
    from studio.ui.script import _availability

    models = {m["id"]: m for m in studio.models.models()}
    assert models["tiny"]["built_locally"] and not models["wan2.1-t2v-1.3b"]["built_locally"]
    assert _availability(models["tiny"]) in ("ready", "built on first use")
    assert _availability(models["wan2.1-t2v-1.3b"]) == "not downloaded"  # the tests' HF cache is empty
    assert _availability(models["wan2.1-t2v-1.3b"] | {"status": "local"}) == "ready"
    # the menu says which models take a start image and references (continuity, characters, products)
    assert models["tiny-vace"]["takes"] == ["image", "last_image", "reference_images"]
    assert models["wan2.2-i2v-a14b"]["needs_image"] and models["tiny"]["takes"] == []
