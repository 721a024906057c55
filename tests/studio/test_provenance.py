"""studio.provenance: watermark payload, fingerprint table, C2PA signing and its local keys."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from studio.provenance import c2pa_sign
from studio.provenance.fingerprint import dhash, match_fingerprint, store_fingerprint
from studio.provenance.watermark import Marker, read_lumas
from tests.studio.export import media


def natural_frame(seed: int, h: int = 360, w: int = 640) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(30, 220, (h // 40, w // 40)).astype(np.uint8)
    import cv2

    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def test_watermark_round_trip_and_absence() -> None:
    cid = "0123456789abcdef0123456789abcdef"
    frames = [natural_frame(i) for i in range(3)]
    plain = [f.copy() for f in frames]
    marker = Marker(cid, 640, 360)
    for f in frames:
        marker.mark_luma(f)
    assert np.abs(frames[0].astype(int) - plain[0]).mean() < 4  # a light touch
    reading = read_lumas(frames)
    assert reading.content_id == cid and reading.decode_rate == 1.0
    assert read_lumas(plain).content_id is None  # the CRC rejects noise
    with pytest.raises(ValueError, match="content id"):
        Marker("xyz", 640, 360)
    with pytest.raises(ValueError, match="too small"):
        Marker(cid, 64, 64)


def test_fingerprint_table_matches_a_copy_and_prefers_the_named_export(shotline_home: Path) -> None:
    frames = [natural_frame(i) for i in range(5)]
    hashes = [dhash(f) for f in frames]
    assert match_fingerprint(hashes) is None
    store_fingerprint("a" * 32, Path("/x/a.mp4"), hashes, 5.0, "tiny")
    store_fingerprint("b" * 32, Path("/x/b.mp4"), hashes, 5.0, "tiny")
    noisy = [dhash(np.clip(f.astype(int) + np.random.default_rng(1).integers(-6, 7, f.shape), 0, 255).astype(np.uint8)) for f in frames]
    assert match_fingerprint(noisy, prefer="b" * 32).content_id == "b" * 32
    other = [dhash(natural_frame(100 + i)) for i in range(5)]
    assert match_fingerprint(other) is None
    assert (shotline_home / "shotline.db").exists()


def test_c2pa_sign_read_and_tamper(tmp_path: Path, shotline_home: Path) -> None:
    src = media.clip(tmp_path / "in.mp4", "320x240", 16, 8)
    signed = tmp_path / "signed.mp4"
    c2pa_sign.sign(src, signed, "c" * 32, "tiny")
    report = c2pa_sign.read(signed)
    assert report.valid and report.state == "Trusted" and report.content_id == "c" * 32
    assert report.source_type == c2pa_sign.TRAINED and report.generator == "Shotline"
    key = shotline_home / "c2pa" / "signer.key"
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not c2pa_sign.read(src).present
    data = bytearray(signed.read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 200: mdat + 260] = bytes(60)
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    bad = c2pa_sign.read(tampered)
    assert bad.present and not bad.valid and bad.problems


def test_c2pa_env_credentials_must_come_in_pairs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHOTLINE_C2PA_CERT", str(tmp_path / "chain.pem"))
    with pytest.raises(ValueError, match="set together"):
        c2pa_sign.credentials()
