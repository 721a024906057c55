"""The engine <-> studio seam: requests, results and events survive a trip through JSON."""

import dataclasses
import json

import pytest

from engine import (
    CancelToken,
    FinishedEvent,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    SpeedOptions,
    StepEvent,
    event_to_dict,
)


def test_request_round_trips_through_json():
    req = GenerationRequest(prompt="夕阳下的小巷", model="tiny", width=64, height=64, num_frames=9, steps=4, seed=7,
                            speed=SpeedOptions(attention_backend="flash", cache="first_block", cache_threshold=0.1))
    again = GenerationRequest.from_dict(json.loads(json.dumps(req.to_dict())))
    assert again == req
    assert again.speed.cache == "first_block"


def test_request_from_dict_names_unknown_fields():
    with pytest.raises(ValueError, match="unknown field.*'colour'"):
        GenerationRequest.from_dict({"prompt": "x", "colour": "red"})


def test_events_are_frozen_and_serialise_without_the_image():
    ev = StepEvent(step=2, total=4, elapsed_s=1.0, eta_s=1.0, preview=object(), preview_path="/tmp/p.png")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.step = 3  # type: ignore[misc]
    data = event_to_dict(ev)
    assert data == {"type": "step", "step": 2, "total": 4, "elapsed_s": 1.0, "eta_s": 1.0, "preview_path": "/tmp/p.png"}
    result = GenerationResult("/tmp/a.mp4", 64, 64, 9, 16, 7, "tiny", {"prompt": "x"}, 0.5)
    assert json.loads(json.dumps(event_to_dict(FinishedEvent(result))))["result"]["fps"] == 16


def test_invalid_request_is_one_sentence_naming_field_value_and_accepted():
    err = InvalidRequest("num_frames", 10, "4k+1 frames such as 9, 13 or 81")
    assert str(err) == "num_frames 10 is not accepted: 4k+1 frames such as 9, 13 or 81."
    assert isinstance(err, ValueError)


def test_cancel_token_is_set_once_from_any_thread():
    import threading

    token = CancelToken()
    assert not token.cancelled
    threading.Thread(target=token.cancel).start()
    assert token.wait(5)
    assert token.cancelled
