"""LoRAs and draft files from the hub through the real huggingface_hub client against a
FAKE hub (a local HTTP server for the resolve endpoint; no network): they land in the hub
cache, are checked like local files, and a machine can then go offline."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from engine import GenerationRequest, get_card, read_frames
from engine.types import LoraSpec

SHA = "89abcdef0123456789abcdef0123456789abcdef"


def _fake_hub(files: dict[str, Path]) -> ThreadingHTTPServer:
    """Serves `files` ({"owner/repo/path/in/repo": local file}) at /{repo}/resolve/{rev}/{path}."""

    class FakeHub(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _file(self, with_body: bool) -> None:
            parts = self.path.split("?")[0].lstrip("/").split("/")
            key = "/".join(parts[:2] + parts[4:]) if len(parts) > 4 and parts[2] == "resolve" else None
            if key not in files:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = files[key].read_bytes()
            self.send_response(200)
            self.send_header("X-Repo-Commit", SHA)
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body:
                self.wfile.write(data)

        def do_HEAD(self):
            self._file(False)

        def do_GET(self):
            self._file(True)

    return ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)


@pytest.fixture
def hub(monkeypatch, tmp_path):
    """Offline off (also huggingface_hub's import-time constant), a fresh HF cache and a
    fake hub; `hub(files)` starts it and points HF_ENDPOINT at it."""
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    servers = []

    def start(files):
        server = _fake_hub(files)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def tiny_lora(tiny_model_dir, tmp_path_factory):
    from tests.engine.test_lora import _save_lora

    return _save_lora(tmp_path_factory.mktemp("hub-lora"), "ink.safetensors", ["to_q", "to_v"], 5, tiny_model_dir)


def test_a_hub_lora_downloads_into_the_cache_and_equals_the_local_file(hub, warm_engine, tiny_lora, tmp_path,
                                                                       monkeypatch):
    hub({"someone/wan-styles/loras/ink.safetensors": tiny_lora})
    spec = LoraSpec("hf:someone/wan-styles/loras/ink.safetensors", 0.9)
    request = GenerationRequest(prompt="a heron", seed=4, preview_every=0, loras=(spec,),
                                output_path=str(tmp_path / "hub.mp4"))
    from_hub = read_frames(warm_engine.generate(request).video_path)
    cached = list((tmp_path / "hf" / "hub").rglob("ink.safetensors"))
    assert cached and cached[0].read_bytes() == tiny_lora.read_bytes()
    local = GenerationRequest(prompt="a heron", seed=4, preview_every=0, loras=(LoraSpec(str(tiny_lora), 0.9),),
                              output_path=str(tmp_path / "local.mp4"))
    assert np.array_equal(from_hub, read_frames(warm_engine.generate(local).video_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # cached now: offline is fine
    again = read_frames(warm_engine.generate(request).video_path)
    assert np.array_equal(from_hub, again)


def test_models_download_draft_fetches_the_cards_distilled_loras(hub, tiny_lora, capsys):
    from studio.cli import main

    card = get_card("wan2.2-t2v-a14b")
    repo = card.draft["repo_id"]
    hub({f"{repo}/{card.draft['file']}": tiny_lora, f"{repo}/{card.draft['file_2']}": tiny_lora})
    assert main(["models", "download", card.id, "--draft", "--only-extras"]) == 0
    paths = [Path(line) for line in capsys.readouterr().out.split()]
    assert [p.name for p in paths] == [card.draft["file"], card.draft["file_2"]]
    assert all(p.is_file() and "hf" in p.parts for p in paths)
