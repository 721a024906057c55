"""Job ids as a person types them: full or a prefix of 8+ hex characters, wildcards
escaped, filtered by the caller, one sentence for "not yours" and "does not exist", odd
input refused without being echoed."""

from __future__ import annotations

import pytest

from studio.jobs.ids import check_job_id, like_escape


def test_like_escape_makes_wildcards_literal():
    assert like_escape("a_b%c\\") == "a\\_b\\%c\\\\"


@pytest.mark.parametrize("bad", ["______", "%", "%%%%%%%%", "abc", "abcdefg", "g" * 8, "a" * 33, "a" * 100_000,
                                 "1234567_", "12345678%", "../../x", "", None, 12345678, "abcd 1234"])
def test_odd_ids_are_refused_without_echo(bad):
    with pytest.raises(ValueError) as err:
        check_job_id(bad)
    text = str(err.value)
    assert "0-9 and a-f" in text and len(text) < 200
    if isinstance(bad, str) and len(bad) > 3:
        assert bad not in text


def test_prefix_lookup_is_exact_and_filtered_by_user(sqlite_studio):
    jobs = sqlite_studio.jobs
    alice = jobs.submit({"steps": 0}, kind="diagnostic", user="alice")
    bob = jobs.submit({"steps": 0}, kind="diagnostic", user="bob")
    from studio.db.records import get_or_create_user

    alice_id, bob_id = get_or_create_user(jobs.db, "alice"), get_or_create_user(jobs.db, "bob")
    assert jobs.get(alice[:8])["id"] == alice
    assert jobs.get(alice.upper())["id"] == alice
    assert jobs.get(alice[:8], user_id=alice_id)["id"] == alice
    messages = set()
    for probe in (alice, alice[:8], "0" * 32, "f" * 8):
        with pytest.raises(ValueError) as err:
            jobs.get(probe, user_id=bob_id)
        messages.add(str(err.value).replace(probe, "<id>"))
    assert messages == {"Job '<id>' is not known."}
    assert jobs.get(bob, user_id=bob_id)["id"] == bob
    with pytest.raises(ValueError, match="0-9 and a-f"):
        jobs.cancel("______")
    assert jobs.get(alice)["status"] == "queued" and jobs.get(bob)["status"] == "queued"
