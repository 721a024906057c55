"""Attack: the command line against the running studio's data folder. Every hostile input
gets one sentence (exit 2, no traceback), nothing is queued, and nothing is written
outside the data folder (the package's private temp folder stays empty)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.attack.conftest import calm, env_for_cli


def shotline(studio, attack_dirs, *argv: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *argv], capture_output=True, text=True, timeout=timeout,
                          env=env_for_cli(studio.home, attack_dirs["tmp"]))


def sentence_of(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-500:])
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.strip().splitlines() if ln.startswith("shotline: ")]
    assert len(lines) == 1, out.stderr
    return lines[0].removeprefix("shotline: ")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    return tmp_path


def _count_jobs(studio) -> int:
    return studio.service.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]


def test_a_batch_over_the_row_limit_queues_nothing(studio, attack_dirs, files):
    from studio.cli.jobs import MAX_BATCH_ROWS

    csv = files / "huge.csv"
    csv.write_text("prompt\n" + "a red kite over the sea\n" * (MAX_BATCH_ROWS * 100), encoding="utf-8")
    before = _count_jobs(studio)
    text = calm(sentence_of(shotline(studio, attack_dirs, "batch", str(csv))), names="huge.csv")
    assert f"at most {MAX_BATCH_ROWS} rows" in text
    assert _count_jobs(studio) == before


def test_a_batch_with_many_bad_rows_gives_a_short_sentence(studio, attack_dirs, files):
    csv = files / "bad.csv"
    csv.write_text("prompt,steps\n" + "a kite,-5\n" * 500, encoding="utf-8")
    before = _count_jobs(studio)
    text = calm(sentence_of(shotline(studio, attack_dirs, "batch", str(csv))), limit=1200)
    assert "500 bad row(s)" in text and "495 more" in text
    assert _count_jobs(studio) == before


def test_a_binary_json_character_file_gets_one_sentence(studio, attack_dirs, files):
    script = files / "s.txt"
    script.write_text("镜头1：小明走在街上。\n", encoding="utf-8")
    cards = files / "cast.json"
    cards.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    text = calm(sentence_of(shotline(studio, attack_dirs, "storyboard", str(script), "--characters", str(cards))),
                names="cast.json")
    assert "codec" not in text


@pytest.mark.parametrize("argv", [
    ("jobs", "show", "%"), ("jobs", "show", "_" * 8), ("jobs", "priority", "________", "5"),
    ("jobs", "submit", "--prompt", "x", "--priority", "1000000"),
])
def test_hostile_job_commands_get_one_sentence(studio, attack_dirs, argv):
    before = _count_jobs(studio)
    calm(sentence_of(shotline(studio, attack_dirs, *argv)))
    assert _count_jobs(studio) == before


def test_generate_writes_nothing_outside_the_data_folder(studio, attack_dirs, files):
    out = shotline(studio, attack_dirs, "generate", "--prompt", "a paper boat on a pond", "--model", "tiny",
                   "--steps", "1", "--frames", "5", timeout=300)
    assert out.returncode == 0, out.stderr[-800:]
    made = Path(out.stdout.strip().splitlines()[-1])
    assert made.is_file() and made.resolve().is_relative_to(studio.home)
    # the aftermath fixture checks that the private temp folder gained nothing
