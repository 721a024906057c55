"""engine.media reads media facts through FFmpeg's libraries (PyAV), structured: durations,
streams, sizes, frame rates and container tags in full, from files made by the real ffmpeg."""

from __future__ import annotations

import pytest

from engine.media import MediaUnreadable, probe_media
from tests.studio.export import media


def test_a_clip_with_sound_has_its_streams_sizes_rate_and_duration(tmp_path):
    clip = media.clip(tmp_path / "v.mp4", size="832x480", rate=16, frames=33)
    both = tmp_path / "both.mp4"
    media.ff("-i", str(clip), "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:v", "copy", "-c:a", "aac", "-shortest",
             "-metadata", "comment=" + "x" * 3000, str(both))
    facts = probe_media(both)
    assert facts.video is not None and facts.audio is not None
    assert (facts.video.codec, facts.video.width, facts.video.height, facts.video.fps) == ("h264", 832, 480, 16.0)
    assert facts.audio.codec == "aac" and facts.audio.sample_rate == 44100
    assert facts.duration_s == pytest.approx(33 / 16, abs=0.1)
    assert facts.tags["comment"] == "x" * 3000  # in full: the console listing would cut it
    assert facts.first_frame_decoded


def test_sound_only_and_an_image(tmp_path):
    song = probe_media(media.music(tmp_path / "m.mp3", seconds=3.0))
    assert song.video is None and song.audio.codec == "mp3" and song.duration_s == pytest.approx(3.0, abs=0.1)
    logo = probe_media(media.logo(tmp_path / "l.png"))
    assert logo.video.codec == "png" and (logo.video.width, logo.video.height) == (200, 100)


def test_a_name_that_looks_like_a_protocol_is_just_a_file(tmp_path):
    odd = tmp_path / "concat:a.mp4"
    media.clip(odd)
    assert probe_media(odd).video.width == 64


def test_text_and_a_truncated_mp4_are_unreadable_in_one_sentence(tmp_path):
    text = tmp_path / "x.mp4"
    text.write_bytes(b"not media at all\n" * 50)
    with pytest.raises(MediaUnreadable, match=r"^'x\.mp4' is not usable media: it is damaged \(truncated or corrupted\)\.$"):
        probe_media(text)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"not media at all\n" * 50)
    with pytest.raises(MediaUnreadable, match="ffmpeg cannot read it as audio or video"):
        probe_media(notes)
    good = media.clip(tmp_path / "good.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(good[: len(good) // 2])
    with pytest.raises(MediaUnreadable, match="damaged"):
        probe_media(tmp_path / "cut.mp4")
