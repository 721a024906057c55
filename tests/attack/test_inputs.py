"""Attack: hostile uploads and timeline values through the studio service (what the pages
call): each gets one sentence that names what the user gave (the file they uploaded, not
the copy the studio stored), and nothing is kept."""

from __future__ import annotations

import pytest

from tests.attack.conftest import calm


@pytest.mark.parametrize(("kind", "name", "data"), [
    ("music", "my-song.mp3", b"this is not audio at all\n" * 50),
    ("logo", "brand-logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("music", "empty-track.m4a", b""),
])
def test_a_refused_upload_is_named_as_the_user_named_it(studio, alice_work, tmp_path, kind, name, data):
    source = tmp_path / name
    source.write_bytes(data)
    uploads = studio.home / "media" / "uploads"
    before = set(uploads.iterdir()) if uploads.exists() else set()
    with pytest.raises(ValueError) as err:
        studio.service.assets.store_upload("bob", kind, str(source))
    text = calm(str(err.value), names=name)
    assert not any(len(part) == 32 and part.isalnum() for part in text.replace(".", " ").replace("'", " ").split())
    assert (set(uploads.iterdir()) if uploads.exists() else set()) == before


@pytest.mark.parametrize(("field", "value"), [("out_s", 1e308), ("out_s", float("inf")), ("in_s", -1.0),
                                              ("speed", 1e9), ("in_s", "0; rm -rf /")])
def test_timeline_numbers_have_finite_stated_ranges(studio, alice_work, field, value):
    data = studio.service.timelines.timeline("alice", alice_work["project_id"])
    clip = {**data["clips"][0], field: value}
    with pytest.raises(ValueError) as err:
        studio.service.timelines.save_timeline("bob", alice_work["project_id"], {**data, "clips": [clip]})
    calm(str(err.value))  # bob: not his project
    with pytest.raises(ValueError) as err:
        from studio.timeline import Timeline

        Timeline.from_dict({**data, "clips": [clip]})
    calm(str(err.value), names=f"clip {field}", limit=300)
