"""Export presets are a pydantic model: every shipped file loads, and a bad file is one
sentence naming the file, the key, the value and what is accepted."""

from __future__ import annotations

import json

import pytest

from shotline.data import shipped
from studio.export.presets import Preset, _check, list_presets

BASE = json.loads((shipped("presets") / "export" / "720p.json").read_text(encoding="utf-8"))


def test_every_shipped_preset_loads():
    presets = list_presets()
    assert len(presets) >= 10 and all(isinstance(p, Preset) for p in presets)
    assert {p.suffix for p in presets} == {".mp4", ".webm", ".gif"}


@pytest.mark.parametrize("change, sentence", [
    ({"width": 65}, "key 'width' is 65; accepted: an even number of pixels from 64 to 4096."),
    ({"fps": 29}, "key 'fps' is 29; accepted: 12, 24, 25, 30."),
    ({"fit": "zoom"}, "key 'fit' is 'zoom'; accepted: pad, crop, blur."),
    ({"video_codec": "gif"}, "key 'video_codec' is 'gif'; accepted: libx264, libx265."),
    ({"crf": 70}, "key 'crf' is 70; accepted: a whole number from 0 to 63."),
    ({"srt": "yes"}, "key 'srt' has 'yes'; expected bool."),
    ({"bogus": 1}, "unknown key(s) ['bogus']; accepted: ['audio_bitrate', "),
])
def test_a_bad_preset_is_one_sentence(change, sentence):
    with pytest.raises(ValueError) as err:
        _check(BASE | change, "mine.json")
    assert str(err.value).startswith("export preset mine.json: " + sentence)
    assert "\n" not in str(err.value)
