"""Shotline installs as a package: a wheel built from this checkout, installed into a fresh
venv in a temporary folder outside the checkout, runs `shotline storyboard`, `shotline
generate --model tiny`, and `shotline studio`, which serves its page and whose own worker
process (`shotline worker`, started by the studio) finishes a tiny job.

What it proves: the wheel carries the code, the composition root, the presets and the
assets (fonts, demo music and logo); nothing reads the checkout (the commands run in the
temporary folder with PYTHONPATH unset, and every Shotline module and data folder is
asserted to come from the fresh venv); the studio listens where GRADIO_SERVER_NAME /
GRADIO_SERVER_PORT say when SHOTLINE_HOST / SHOTLINE_PORT are unset.

What it shortcuts, to need no network and stay short on a 2-core machine: the wheel is
built with `pip wheel --no-deps --no-build-isolation` (the dev venv's setuptools) from a
copy of the files the build reads; the venv is made without pip and reuses the dev venv's
installed dependencies through a .pth file naming its site-packages (so it does not prove
that pip resolves the declared dependencies; `pip install .` on a fresh machine does that);
the wheel is installed with `pip --python VENV install --no-deps --no-index`.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import site
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("engine", "studio", "shotline", "presets", "assets", "pyproject.toml", "setup.py", "README.md", "LICENSE")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh venv outside the checkout with the wheel installed; (its folder, the environment to run it in)."""
    tmp = tmp_path_factory.mktemp("package")
    assert not tmp.resolve().is_relative_to(ROOT)
    src = tmp / "src"
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SHOTLINE_PRESETS", "SHOTLINE_PORT",
                                                               "SHOTLINE_HOST", "GRADIO_SERVER_NAME",
                                                               "GRADIO_SERVER_PORT", "SHOTLINE_REDIS_URL")}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp / "dist"),
          str(src)], clean, tmp)
    wheel = next((tmp / "dist").glob("shotline-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], clean, tmp)
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index",
          "-q", str(wheel)], clean, tmp)
    purelib = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c",
                                            "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # the shortcut: the dev venv's dependencies, after the venv's own site-packages (which hold the wheel)
    (purelib / "zz-dev-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    env = {**clean, "SHOTLINE_HOME": str(tmp / "home"), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "PATH": f"{venv / 'bin'}{os.pathsep}{clean.get('PATH', '')}"}
    return venv, env


def test_the_wheel_carries_code_and_data_and_reads_nothing_from_the_checkout(installed):
    venv, env = installed
    probe = ("import json, sys, engine, studio, shotline, shotline.app, studio.ui.app\n"
             "from shotline.data import asset_path, preset_path\n"
             "from engine import list_cards\n"
             "from studio.export.presets import list_presets\n"
             "from studio.prompts.presets import default_presets\n"
             "print(json.dumps({'modules': [m.__file__ for m in (engine, studio, shotline, shotline.app, studio.ui.app)],"
             " 'data': [str(preset_path('models')), str(asset_path('fonts'))], 'path': sys.path,"
             " 'cards': [c.id for c in list_cards()], 'exports': len(list_presets()),"
             " 'styles': len(default_presets().styles), 'font': asset_path('fonts/OFL.txt').is_file()}))")
    out = json.loads(_run([str(venv / "bin" / "python"), "-c", probe], env, venv.parent).stdout)
    for path in out["modules"] + out["data"]:
        assert Path(path).is_relative_to(venv), f"{path} does not come from the installed wheel"
    assert not any(Path(p).resolve() == ROOT for p in out["path"] if p)
    assert "tiny" in out["cards"] and out["exports"] >= 1 and out["styles"] >= 1 and out["font"]


def test_storyboard_and_tiny_generate_run_from_the_wheel(installed):
    venv, env = installed
    work = venv.parent
    (work / "script.txt").write_text("夕阳下，穿旗袍的女人撑着油纸伞走过青石板巷。\nA red car drives through a neon city.\n",
                                     encoding="utf-8")
    board = json.loads(_run(["shotline", "storyboard", "script.txt", "--style", "ink-wash", "--json"], env, work).stdout)
    assert len(board["shots"]) == 2 and all(shot["prompt"] for shot in board["shots"])
    out = work / "clip.mp4"
    _run(["shotline", "generate", "--model", "tiny", "--prompt", "a red car", "--width", "64", "--height", "64",
          "--frames", "9", "--steps", "2", "--seed", "7", "--out", str(out)], env, work)
    assert out.stat().st_size > 0


def test_studio_serves_its_page_and_its_worker_finishes_a_tiny_job(installed):
    venv, env = installed
    work = venv.parent
    port = _free_port()
    studio_env = {**env, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    proc = subprocess.Popen(["shotline", "studio"], env=studio_env, cwd=work, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            log.append(line)
            lines.put(line)
        lines.put("")  # the studio closed its stderr: it has exited

    threading.Thread(target=read, daemon=True).start()
    try:
        url = None
        while url is None:  # wait for the line the studio prints once it listens (or for its end)
            line = lines.get(timeout=180)
            assert line, f"the studio exited before serving its page:\n{''.join(log)}"
            if line.startswith("Shotline studio: "):
                url = line.split()[2]
        assert url == f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(url, timeout=60) as page:
            assert page.status == 200 and "gradio" in page.read().decode("utf-8", "replace").lower()
        with urllib.request.urlopen(url + "config", timeout=60) as config:
            assert json.loads(config.read())["title"] == "Shotline"
        done = _run(["shotline", "jobs", "submit", "--model", "tiny", "--prompt", "a cat on a windowsill", "--width",
                     "64", "--height", "64", "--frames", "9", "--steps", "2", "--wait", "--timeout", "240", "--json"],
                    env, work)
        assert '"done"' in done.stdout, done.stdout
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the studio stops its workers; the group catches any straggler
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # nothing of the studio's may outlive the test
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
    assert "Traceback" not in "".join(log)
