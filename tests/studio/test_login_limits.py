"""Sign-in limits (studio.accounts.auth): lockout per user name and per address, kept in the
database across a restart; unknown names cost the same scrypt work as known ones; a
password over the maximum length is refused before any hashing."""

from __future__ import annotations

import hashlib

import pytest

from studio.accounts import auth


def test_repeated_failures_lock_the_name_and_persist_in_the_database(tmp_path):
    from studio.db import open_database

    db = open_database(tmp_path / "s.db")
    limits = auth.LoginLimits(db, per_user=3, per_address=10)
    for _ in range(2):
        limits.failed("carol", "10.0.0.1")
    assert limits.locked_for("carol", "10.0.0.2") == 0
    limits.failed("carol", "10.0.0.1")
    assert limits.locked_for("carol", "10.0.0.2") > 800  # the name is locked from any address
    assert limits.locked_for("dave", "10.0.0.3") == 0
    again = auth.LoginLimits(open_database(tmp_path / "s.db"), per_user=3, per_address=10)  # a restart
    assert again.locked_for("carol", "10.0.0.9") > 800
    assert "locked" in again.sentence(again.locked_for("carol", "x")) and "15 more minutes" in again.sentence(900)


def test_an_address_is_locked_across_names(tmp_path):
    from studio.db import open_database

    limits = auth.LoginLimits(open_database(tmp_path / "s.db"), per_user=100, per_address=4)
    for i in range(4):
        limits.failed(f"name{i}", "10.0.0.7")
    assert limits.locked_for("someone-else", "10.0.0.7") > 0
    assert limits.locked_for("someone-else", "10.0.0.8") == 0


def test_a_success_clears_the_count(tmp_path):
    from studio.db import open_database

    limits = auth.LoginLimits(open_database(tmp_path / "s.db"), per_user=3)
    limits.failed("erin", "a")
    limits.failed("erin", "a")
    limits.succeeded("erin", "a")
    limits.failed("erin", "a")
    assert limits.locked_for("erin", "a") == 0


def test_unknown_names_cost_the_same_hashing_as_known_ones(monkeypatch):
    users = {"alice": auth.hash_password("alice-password-1")}
    check = auth.authenticator(users)
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(auth.hashlib, "scrypt", lambda *a, **k: calls.append(k.get("n")) or real(*a, **k))
    assert check("alice", "alice-password-1") is True
    assert check("alice", "wrong-password") is False
    assert check("mallory", "wrong-password") is False
    assert calls == [auth.SCRYPT_N] * 3


def test_an_overlong_password_is_refused_without_hashing(monkeypatch):
    users = {"alice": auth.hash_password("alice-password-1")}
    check = auth.authenticator(users)
    monkeypatch.setattr(auth.hashlib, "scrypt", lambda *a, **k: pytest.fail("hashed an overlong password"))
    assert check("alice", "x" * (auth.MAX_PASSWORD + 1)) is False
    with pytest.raises(ValueError, match=f"at most {auth.MAX_PASSWORD}"):
        auth.hash_password("x" * (auth.MAX_PASSWORD + 1))
