"""Attack: sign-ins over HTTP. Repeated wrong passwords lock the name out (the right
password is then refused too, with one sentence), an unknown name is answered exactly
like a known one, an overlong password or form is refused, and a success by someone
else is not blocked."""

from __future__ import annotations

import httpx
import pytest

from tests.attack.conftest import calm
from tests.studio_app import USERS


def _login(studio, user: str, password: str) -> httpx.Response:
    return httpx.post(f"{studio.url}login", data={"username": user, "password": password}, timeout=60)


def test_repeated_failures_lock_out_even_the_right_password(studio, alice_work):
    answers = [_login(studio, "carol", f"wrong-{i}") for i in range(5)]
    assert [a.status_code for a in answers] == [400] * 5
    locked = _login(studio, "carol", USERS["carol"])
    assert locked.status_code == 429
    calm(locked.json()["detail"], names="locked")
    assert _login(studio, "alice", USERS["alice"]).status_code == 200  # others still sign in


@pytest.mark.parametrize("name", ["nobody-here", "ALICE ", "a" * 300, "' or 1=1 --"])
def test_an_unknown_name_reads_like_a_known_one(studio, name):
    known = _login(studio, "bob", "not-bobs-password")
    unknown = _login(studio, name, "not-bobs-password")
    assert (unknown.status_code, unknown.text) == (known.status_code, known.text)
    assert _login(studio, "bob", USERS["bob"]).status_code == 200  # clears bob's and this address's count


def test_an_overlong_password_is_refused(studio):
    assert _login(studio, "bob", "x" * 2000).status_code == 400
    assert _login(studio, "bob", USERS["bob"]).status_code == 200


def test_an_oversized_sign_in_form_is_refused(studio):
    r = _login(studio, "bob", "x" * 40_000)
    assert r.status_code == 413
    calm(r.json()["detail"])
