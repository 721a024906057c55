"""Request validation: every bad field is one sentence naming the field, the value and
what is accepted, raised before any model work (nothing loads, a FailedEvent is sent)."""

from __future__ import annotations

import pytest

from engine import Engine, FailedEvent, GenerationRequest, InvalidRequest, SpeedOptions


def _bad(tmp_path):
    return [
        ({"prompt": "  "}, "prompt"),
        ({"prompt": "x" * 5000}, "prompt"),
        ({"model": "wan9"}, "model"),
        ({"width": 65}, "width"),
        ({"width": 256, "height": 256}, "width x height"),
        ({"num_frames": 10}, "num_frames"),
        ({"num_frames": 37}, "num_frames"),
        ({"num_frames": True}, "num_frames"),
        ({"steps": 0}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"guidance": -1}, "guidance"),
        ({"guidance": float("nan")}, "guidance"),
        ({"flow_shift": 0}, "flow_shift"),
        ({"seed": -1}, "seed"),
        ({"memory_mode": "turbo"}, "memory_mode"),
        ({"speed": SpeedOptions(cache="magic")}, "speed.cache"),
        ({"speed": SpeedOptions(attention_backend="fast")}, "speed.attention_backend"),
        ({"speed": SpeedOptions(cache="first_block", cache_threshold=5)}, "speed.cache_threshold"),
        ({"preview_every": -1}, "preview_every"),
        ({"output_path": str(tmp_path / "clip.gif")}, "output_path"),
        ({"output_path": str(tmp_path / "missing" / "clip.mp4")}, "output_path"),
        ({"device": "tpu"}, "device"),
    ]


def test_each_bad_field_is_one_sentence_and_nothing_loads(tmp_path):
    engine = Engine()
    for fields, name in _bad(tmp_path):
        events = []
        request = GenerationRequest(**{"prompt": "a cat", **fields})
        with pytest.raises(InvalidRequest) as info:
            engine.generate(request, on_event=events.append)
        message = str(info.value)
        assert info.value.field == name, fields
        assert message.startswith(name) and message.endswith(".") and message.count(". ") == 0, message
        assert "accepted" in message
        assert [type(e) for e in events] == [FailedEvent] and events[0].message == message
        assert engine.loaded_key is None


def test_invalid_request_is_a_value_error():
    with pytest.raises(ValueError):
        Engine().generate(GenerationRequest(prompt="a cat", num_frames=8))


def test_defaults_come_from_the_card():
    from engine import resolve_request

    r = resolve_request(GenerationRequest(prompt="a cat"))
    assert (r.width, r.height, r.num_frames, r.steps, r.guidance, r.flow_shift) == (64, 64, 9, 4, 5.0, 3.0)
    assert r.negative_prompt == r.card.negative_prompt
    big = resolve_request(GenerationRequest(prompt="a cat", model="wan2.2-t2v-a14b"))
    assert big.guidance_2 == big.card.guidance_2 and big.num_frames == 81
