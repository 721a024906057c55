"""The package's own edges: where the studio listens (Shotline's variables beside Gradio's),
where the shipped data is found, and SHOTLINE_PRESETS laid over it for every kind of preset."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from shotline.app import Settings
from shotline.data import asset_path, preset_path, shipped


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SHOTLINE_HOST", "SHOTLINE_PORT", "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "SHOTLINE_PRESETS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_then_gradio_variables_then_shotline_variables_win(clean_env):
    assert (Settings.from_env().host, Settings.from_env().port) == ("127.0.0.1", 7860)
    clean_env.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    clean_env.setenv("GRADIO_SERVER_PORT", "8001")
    assert (Settings.from_env().host, Settings.from_env().port) == ("0.0.0.0", 8001)
    clean_env.setenv("SHOTLINE_HOST", "127.0.0.2")
    clean_env.setenv("SHOTLINE_PORT", "8002")
    assert (Settings.from_env().host, Settings.from_env().port) == ("127.0.0.2", 8002)


def test_a_bad_port_names_the_variable_it_came_from(clean_env):
    clean_env.setenv("GRADIO_SERVER_PORT", "http")
    with pytest.raises(ValueError, match=r"^GRADIO_SERVER_PORT 'http' is not accepted: a port number from 0 to 65535\.$"):
        Settings.from_env()
    clean_env.setenv("SHOTLINE_PORT", "70000")
    with pytest.raises(ValueError, match=r"^SHOTLINE_PORT '70000' is not accepted"):
        Settings.from_env()


def test_shipped_data_is_found_through_the_package(clean_env):
    assert (shipped("presets") / "models" / "tiny.json").is_file()
    assert (asset_path("fonts") / "OFL.txt").is_file() and asset_path("demo-logo.png").is_file()
    assert preset_path("styles") == shipped("presets") / "styles"


def test_shotline_presets_replaces_the_kinds_it_has_everywhere(clean_env, tmp_path):
    from engine import models
    from studio.export import presets as export_presets
    from studio.prompts.presets import load_presets
    from studio.safety.policy import policy_folders

    over = tmp_path / "presets"
    shutil.copytree(shipped("presets") / "export", over / "export", ignore=lambda _d, names: [n for n in names if not n.startswith("720p")])
    shutil.copytree(shipped("presets") / "models", over / "models", ignore=shutil.ignore_patterns("wan*", "tiny-*"))
    (over / "styles").mkdir()
    style = json.loads((shipped("presets") / "styles" / "noir.json").read_text(encoding="utf-8"))
    (over / "styles" / "noir.json").write_text(json.dumps(style), encoding="utf-8")
    (over / "safety").mkdir()
    clean_env.setenv("SHOTLINE_PRESETS", str(over))
    models._load_all.cache_clear()
    try:
        assert [c.id for c in models.list_cards()] == ["tiny"]
        assert sorted(p.name for p in export_presets.list_presets()) == ["720p", "720p-h265"]
        loaded = load_presets()
        assert list(loaded.styles) == ["noir"] and "wan" in loaded.templates  # templates: the shipped ones
        assert policy_folders()[0] == over / "safety"
    finally:
        clean_env.delenv("SHOTLINE_PRESETS")
        models._load_all.cache_clear()


def test_a_shotline_presets_that_is_not_a_folder_is_one_sentence(clean_env, tmp_path):
    clean_env.setenv("SHOTLINE_PRESETS", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=r"^SHOTLINE_PRESETS '.*nowhere' is not accepted: a folder laid out"):
        preset_path("styles")


def test_python_dash_m_studio_is_the_shotline_command():
    done = subprocess.run([sys.executable, "-m", "studio", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "storyboard" in done.stdout and "studio" in done.stdout


def test_the_studio_refuses_a_bad_shotline_presets_in_one_sentence(clean_env, tmp_path, capsys):
    from shotline.app import main

    clean_env.setenv("SHOTLINE_HOME", str(tmp_path / "home"))
    clean_env.setenv("SHOTLINE_PRESETS", str(tmp_path / "nowhere"))
    from studio.prompts.presets import default_presets

    default_presets.cache_clear()
    try:
        assert main([]) == 2
    finally:
        default_presets.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("shotline: SHOTLINE_PRESETS ") and "Traceback" not in err
