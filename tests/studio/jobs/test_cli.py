"""`shotline jobs ...`, `shotline batch`, `shotline usage`: what a user types and sees."""

from __future__ import annotations

import json

from studio.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_submit_list_show_priority_cancel(capsys):
    code, out, _ = run(capsys, "jobs", "submit", "--model", "tiny", "--prompt", "a cat on a roof", "--width", "64",
                       "--height", "64", "--frames", "9", "--steps", "2", "--seed", "7", "--priority", "3")
    assert code == 0
    job_id = out.strip()
    assert len(job_id) == 32
    _, out2, _ = run(capsys, "jobs", "submit", "--prompt", "second", "--priority", "5")
    second = out2.strip()

    code, out, _ = run(capsys, "jobs", "list", "--json")
    listed = json.loads(out)
    assert [j["id"] for j in listed] == [second, job_id]  # the order they will run in
    assert listed[1]["params"]["steps"] == 2 and listed[1]["params"]["seed"] == 7

    code, out, _ = run(capsys, "jobs", "priority", job_id[:8], "9")
    assert code == 0
    code, out, _ = run(capsys, "jobs", "show", job_id, "--json")
    shown = json.loads(out)
    assert shown["status"] == "queued" and shown["priority"] == 9 and shown["runs"] == []
    _, out, _ = run(capsys, "jobs", "list", "--json")
    assert [j["id"] for j in json.loads(out)] == [job_id, second]

    code, out, _ = run(capsys, "jobs", "cancel", job_id)
    assert code == 0 and "cancelled" in out
    _, out, _ = run(capsys, "jobs", "show", job_id, "--json")
    assert json.loads(out)["status"] == "cancelled"
    code, _, err = run(capsys, "jobs", "priority", job_id, "1")
    assert code == 2 and "only a queued job can be re-prioritised" in err


def test_bad_input_is_one_sentence_and_exit_2(capsys):
    code, _, err = run(capsys, "jobs", "submit", "--prompt", "x", "--width", "65")
    assert code == 2 and err.startswith("shotline: width 65 is not accepted") and "Traceback" not in err
    code, _, err = run(capsys, "jobs", "submit", "--prompt", "x", "--model", "nope")
    assert code == 2 and "model 'nope' is not accepted" in err
    code, _, err = run(capsys, "jobs", "submit", "--prompt", "x", "--priority", "1000")
    assert code == 2 and "priority 1000 is not accepted" in err
    code, _, err = run(capsys, "jobs", "show", "0123456789")
    assert code == 2 and "Job '0123456789' is not known." in err
    code, _, err = run(capsys, "jobs", "submit", "--prompt", "x", "--redis", "http://nope")
    assert code == 2 and "Redis URL" in err


def test_same_idempotency_key_gives_the_same_job(capsys):
    _, a, _ = run(capsys, "jobs", "submit", "--prompt", "x", "--key", "shot-12-take-1")
    _, b, _ = run(capsys, "jobs", "submit", "--prompt", "x", "--key", "shot-12-take-1")
    assert a == b
    _, out, _ = run(capsys, "jobs", "list", "--json")
    assert len(json.loads(out)) == 1


def test_batch_names_bad_rows_queues_nothing_then_queues_each_row_once(capsys, tmp_path):
    csv_file = tmp_path / "shots.csv"
    csv_file.write_text("prompt,seed,frames,priority,style,characters\n"
                        "小猫在屋顶上,1,9,2,Anime,小明;小红\n"
                        "a fox,x,9,,,\n"
                        "a bird,3,10,,,\n", encoding="utf-8")
    code, _, err = run(capsys, "batch", str(csv_file))
    assert code == 2
    assert "row 3: seed 'x' is not accepted" in err and "row 4: num_frames 10 is not accepted" in err
    _, out, _ = run(capsys, "jobs", "list", "--json")
    assert json.loads(out) == []

    code, out, err = run(capsys, "batch", str(csv_file), "--skip-bad")
    assert code == 1 and len(out.split()) == 1 and "skipped row 3" in err
    _, out, _ = run(capsys, "jobs", "list", "--json")
    (job,) = json.loads(out)
    assert job["params"]["prompt"] == "小猫在屋顶上" and job["priority"] == 2
    assert job["labels"] == {"style": "Anime", "characters": ["小明", "小红"]}
    run(capsys, "batch", str(csv_file), "--skip-bad")  # the same file again adds nothing
    _, out, _ = run(capsys, "jobs", "list", "--json")
    assert len(json.loads(out)) == 1

    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("text,seed\nhello,1\n")
    code, _, err = run(capsys, "batch", str(bad_header))
    assert code == 2 and "a 'prompt' column is needed" in err


def test_usage_json_and_table(capsys):
    code, out, _ = run(capsys, "usage", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "usage")
    assert "No usage yet." in out


def test_a_blocked_prompt_is_refused_at_submit_and_nothing_is_queued(capsys):
    code, _, err = run(capsys, "jobs", "submit", "--prompt", "a man stabbed in a dark alley")
    assert code == 2 and "Traceback" not in err
    assert "violence" in err.lower() and "stabbed" in err
    _, out, _ = run(capsys, "jobs", "list", "--json")
    assert json.loads(out) == []
    # ordinary ad copy with a risky-looking word passes, and a negative prompt may name what to avoid
    code, out, _ = run(capsys, "jobs", "submit", "--prompt", "killer deals this weekend, shoot a video of the sale",
                       "--negative-prompt", "blood, nudity")
    assert code == 0 and len(out.strip()) == 32
