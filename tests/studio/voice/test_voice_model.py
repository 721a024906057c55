"""The voice track and mix settings in the timeline model: they round-trip through JSON and
refuse bad values with one sentence naming the field."""

from __future__ import annotations

import json

import pytest

from studio.timeline.model import Timeline

BASE = {"clips": [{"source": "a.mp4"}]}


def test_voice_track_and_mix_settings_round_trip() -> None:
    data = {**BASE, "voice": [{"source": "v.wav", "start_s": 0.2, "volume": 0.8, "text": "你好", "engine": "espeak-ng",
                               "voice": "espeak-zh", "duration_s": 1.1, "shot": 0}],
            "voice_volume": 1.2, "music_volume": 0.5, "duck_db": 9.0, "smooth_motion": True}
    tl = Timeline.from_dict(json.loads(json.dumps(data)))
    assert Timeline.from_dict(tl.to_dict()).to_dict() == tl.to_dict()
    assert tl.voice[0].shot == 0 and tl.duck_db == 9.0 and tl.smooth_motion is True
    assert Timeline.from_dict(BASE).voice == [] and Timeline.from_dict(BASE).duck_db == 12.0


@pytest.mark.parametrize("change, sentence", [
    ({"voice": [{"source": "v.wav", "volume": 9}]}, "voice volume 9 is not accepted; a number from 0 to 4."),
    ({"voice": [{"source": ""}]}, "voice source '' is not accepted; a file path."),
    ({"voice": [{"source": "v.wav", "shot": -1}]}, "voice shot -1 is not accepted; a clip number from 0."),
    ({"voice": [{"source": "v.wav", "speaker": "x"}]}, "VoiceClip key 'speaker' is not accepted"),
    ({"duck_db": 60}, "timeline duck_db 60 is not accepted; a number from 0 to 40."),
    ({"music_volume": -1}, "timeline music_volume -1 is not accepted; a number from 0 to 4."),
    ({"smooth_motion": "yes"}, "timeline smooth_motion 'yes' is not accepted; true or false."),
])
def test_bad_values_get_one_sentence(change: dict, sentence: str) -> None:
    with pytest.raises(ValueError) as err:
        Timeline.from_dict({**BASE, **change})
    assert str(err.value).startswith(sentence)
