"""Frame safety, live, with a tiny stand-in classifier built here: the classifier's
licence is checked from its card, it flags sampled frames of a real clip, a flagged clip
is held (export refused with a sentence) until its owner releases it, and a flagged
uploaded image is refused."""

from __future__ import annotations

import pytest

from studio.safety import live
from studio.safety.classifier import ClassifierChecker, load_card
from studio.safety.frames import FrameCheckerUnavailable, check_video
from tests.studio.export import media
from tests.studio.safety.standin import build_standin


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    root = tmp_path_factory.mktemp("standins")
    return {"flags": build_standin(root / "flags", flags=True), "passes": build_standin(root / "passes", flags=False),
            "non-commercial": build_standin(root / "nc", flags=True, licence="cc-by-nc-4.0")}


@pytest.fixture
def safety_on(monkeypatch, standins):
    def switch(which: str) -> None:
        monkeypatch.setenv("SHOTLINE_FRAME_SAFETY", "classifier")
        monkeypatch.setenv("SHOTLINE_FRAME_CLASSIFIER", str(standins[which]))
        live._CHECKER.clear()

    yield switch
    live._CHECKER.clear()


def test_the_card_is_data_with_an_open_licence():
    card = load_card()
    assert card["licence"] in card["accepted_licences"] and card["flag_labels"] == ["nsfw"]


def test_a_model_whose_licence_is_not_accepted_is_refused(standins):
    with pytest.raises(FrameCheckerUnavailable, match="declares the licence cc-by-nc-4.0"):
        ClassifierChecker(str(standins["non-commercial"]))


def test_the_standin_flags_or_passes_sampled_frames_of_a_real_clip(standins, tmp_path):
    clip = media.clip(tmp_path / "c.mp4", size="64x64", frames=24)
    flagged = check_video(clip, ClassifierChecker(str(standins["flags"])))
    assert flagged.blocked and len(flagged.frames_checked) == 8 and flagged.findings[0].label == "nsfw"
    assert not check_video(clip, ClassifierChecker(str(standins["passes"]))).blocked


def test_a_flagged_clip_is_held_from_export_until_its_owner_releases_it(safety_on, tmp_path):
    from studio.db import open_database
    from studio.export.run import ExportError, render
    from studio.paths import new_media_path
    from studio.timeline.model import Clip, Timeline

    safety_on("flags")
    db = open_database()
    clip = media.clip(new_media_path("clips", ".mp4"), size="64x64", frames=16)
    report = live.check_clip(db, "c" * 32, clip, "owner-1")
    assert report["blocked"]
    assert [h["clip_id"] for h in live.holds(db, "owner-1")] == ["c" * 32]
    timeline = Timeline(clips=[Clip(source=str(clip))])
    with pytest.raises(ExportError, match="Clip 1 is held by the frame safety check"):
        render(timeline, tmp_path / "out.mp4")
    with pytest.raises(ValueError, match="Clip 1 is held"):
        live.refuse_held(db, [str(clip)])
    with pytest.raises(ValueError, match="is not known as one of your held clips"):
        live.release(db, "someone-else", "c" * 32)
    live.release(db, "owner-1", "c" * 32)
    assert render(timeline, tmp_path / "out.mp4").output.is_file()


def test_with_safety_off_nothing_is_checked(monkeypatch, tmp_path):
    from studio.db import open_database

    monkeypatch.delenv("SHOTLINE_FRAME_SAFETY", raising=False)
    clip = media.clip(tmp_path / "c.mp4", frames=8)
    assert live.check_clip(open_database(), "d" * 32, clip, "u") is None


def test_a_flagged_uploaded_image_is_refused_by_its_own_name(safety_on, tmp_path):
    safety_on("flags")
    image = media.logo(tmp_path / "my-logo.png")
    with pytest.raises(ValueError, match="'my-logo.png' was refused by the frame safety check"):
        live.check_image(image, "my-logo.png")
    safety_on("passes")
    live.check_image(image, "my-logo.png")
