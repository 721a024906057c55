"""Downloads through the real huggingface_hub client against a FAKE hub: a local HTTP
server that serves the tiny model's files under a real model's repo id (the repo-info,
tree and resolve endpoints snapshot_download uses). No network is involved."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engine import (
    LoadingEvent,
    WeightsUnavailable,
    download,
    load_tokenizer,
    resolve_weights,
    weights_status,
)

REPO = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
SHA = "0123456789abcdef0123456789abcdef01234567"


def _fake_hub(root: Path) -> ThreadingHTTPServer:
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    class FakeHub(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, payload) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _file(self, with_body: bool) -> None:
            prefix = f"/{REPO}/resolve/"
            path = None
            if self.path.startswith(prefix):
                candidate = root / self.path[len(prefix):].split("?")[0].split("/", 1)[1]
                path = candidate if candidate.is_file() else None
            if path is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = path.read_bytes()
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
            if self.path.startswith(f"/api/models/{REPO}/revision/"):
                return self._json({"id": REPO, "sha": SHA, "siblings": [{"rfilename": f} for f in files]})
            if self.path.startswith(f"/api/models/{REPO}/tree/"):
                return self._json([{"type": "file", "path": f, "size": (root / f).stat().st_size,
                                    "oid": hashlib.sha1((root / f).read_bytes()).hexdigest()} for f in files])
            self._file(True)

    return ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)


@pytest.fixture
def online(monkeypatch, tmp_path):
    """HF cache in tmp, offline mode off (also in huggingface_hub's import-time constant)."""
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    return monkeypatch


def test_download_reports_byte_progress_and_lands_in_the_hf_cache(online, tiny_model_dir, tmp_path):
    server = _fake_hub(tiny_model_dir)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        online.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
        assert weights_status("wan2.1-t2v-1.3b") == "missing"
        events: list[LoadingEvent] = []
        path = download("wan2.1-t2v-1.3b", on_event=events.append)
    finally:
        server.shutdown()
    total = sum(p.stat().st_size for p in tiny_model_dir.rglob("*") if p.is_file())
    assert path.is_relative_to(tmp_path / "hf" / "hub") and (path / "model_index.json").is_file()
    byte_events = [e for e in events if e.total_bytes]
    assert byte_events and byte_events[-1].downloaded_bytes == byte_events[-1].total_bytes == total
    counts = [e.downloaded_bytes for e in byte_events]
    assert counts == sorted(counts)
    # now local: status, resolve (no network needed) and the tokenizer
    online.setenv("HF_HUB_OFFLINE", "1")
    assert weights_status("wan2.1-t2v-1.3b") == "local"
    assert resolve_weights("wan2.1-t2v-1.3b") == path
    assert load_tokenizer("wan2.1-t2v-1.3b") is not None


def test_unreachable_hub_fails_fast_without_offline_flag(online):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    online.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    start = time.monotonic()
    with pytest.raises(WeightsUnavailable) as info:
        resolve_weights("wan2.1-t2v-14b")
    assert time.monotonic() - start < 10
    assert "no network" in str(info.value) and "`shotline models download wan2.1-t2v-14b`" in str(info.value)
