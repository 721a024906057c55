"""Issue 12's done-when for the language model: with the tiny planner selected, a
storyboard is made through the real worker queue (a `shotline worker` process builds the
tiny Qwen2 planner and runs it), and its invalid output falls back visibly to the
rule-based result, on the storyboard and on every shot."""

from __future__ import annotations

import pytest

from studio.prompts.planning import plan_storyboard
from tests.studio.jobs.conftest import Workers

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]

FREE_FORM = ("so the ad opens on our new water bottle on a kitchen counter and then we kind of follow a girl who fills "
             "it and takes it on her bike ride through the park and at the top of the hill she drinks from it and "
             "smiles while the sun goes down and we close on the bottle with the logo")


def test_tiny_planner_storyboard_through_the_queue_falls_back_visibly(sqlite_studio, shotline_home) -> None:
    pool = Workers(None, shotline_home)
    pool.start("--threads", "1")
    try:
        board = plan_storyboard(sqlite_studio, FREE_FORM, "tiny-planner", timeout_s=420)
    except Exception as err:
        raise AssertionError(f"{err}\n{pool.logs()}") from None
    finally:
        pool.stop_all()
    jobs = [j for j in sqlite_studio.jobs.list() if j["kind"] == "plan"]
    assert sorted(j["params"]["task"] for j in jobs) == ["rewrite", "storyboard"]  # the free form asked for shots
    for job in jobs:  # each finished on the worker process (its run names the worker); a run the loaded
        runs = sqlite_studio.jobs.runs(job["id"])  # machine let go stale (1.2 s here) may come before it
        assert job["status"] == "done" and runs[-1]["outcome"] == "finished" and runs[-1]["worker"], runs
    rewrite = next(j for j in jobs if j["params"]["task"] == "rewrite")
    assert len(rewrite["result"]["answers"]) == len(board.shots) and rewrite["result"]["model"] == "tiny-planner"
    # the tiny model's answers are garbage: the rule reader's shots and prompts stay, and say so
    assert any("could not structure the script" in w for w in board.warnings), board.warnings
    assert board.shots
    for shot in board.shots:
        assert shot.prompt == shot.rule_prompt and shot.prompt_source == "rules"
        assert any("tiny-planner" in w and "rule-based prompt is kept" in w for w in shot.warnings), shot.warnings


def test_an_unknown_planner_or_task_is_refused_before_it_is_queued(sqlite_studio) -> None:
    with pytest.raises(ValueError, match="language model 'nope' is not accepted"):
        sqlite_studio.jobs.submit({"model": "nope", "task": "rewrite", "conversations": [[{"role": "user", "content": "x"}]]},
                                  kind="plan")
    with pytest.raises(ValueError, match="task 'poem' is not accepted"):
        sqlite_studio.jobs.submit({"model": "tiny-planner", "task": "poem",
                                   "conversations": [[{"role": "user", "content": "x"}]]}, kind="plan")
    with pytest.raises(ValueError, match=r"conversations\[0\]\[0\] must have a role"):
        sqlite_studio.jobs.submit({"model": "tiny-planner", "task": "rewrite", "conversations": [[{"content": "x"}]]},
                                  kind="plan")
