"""Job parameters are checked by pydantic models at the queue's edge: a generation job's by
a strict model of engine.GenerationRequest (its fields, kept in step), a diagnostic job's by
DiagnosticParams; each bad value is one sentence naming the field, the value and what is accepted."""

from __future__ import annotations

import pytest

from engine import InvalidRequest
from studio.jobs.kinds import validate_diagnostic
from studio.jobs.service import validate_generate

GOOD = {"prompt": "a lighthouse at dusk", "model": "tiny", "width": 64, "height": 64, "num_frames": 9, "steps": 2}


@pytest.mark.parametrize("change, sentence", [
    ({"prompt": 5}, "prompt 5 is not accepted: text."),
    ({"width": "64"}, "width '64' is not accepted: a whole number."),
    ({"seed": True}, "seed True is not accepted: a whole number."),
    ({"guidance": float("nan")}, "guidance nan is not accepted: a finite number."),
    ({"speed": {"cache": 5}}, "speed.cache 5 is not accepted: text."),
    ({"colour": "red"}, "colour 'red' is not accepted: not a known field; known: "),
    ({"loras": "style.safetensors"}, "loras 'style.safetensors' is not accepted: a list."),
    ({"loras": [{"source": 5}]}, "loras.0.source 5 is not accepted: text."),
])
def test_a_generation_job_with_a_wrong_type_is_one_sentence(change, sentence):
    with pytest.raises(InvalidRequest) as err:
        validate_generate(GOOD | change)
    assert str(err.value).startswith(sentence)


def test_a_good_generation_job_passes_and_ranges_are_still_the_engines():
    assert validate_generate(dict(GOOD))["prompt"] == GOOD["prompt"]
    assert validate_generate(GOOD | {"loras": []})["loras"] == []  # JSON lists for the request's tuples
    with pytest.raises(InvalidRequest, match="width x height '96x96' is not accepted"):
        validate_generate(GOOD | {"width": 96, "height": 96})


@pytest.mark.parametrize("params, sentence", [
    ({"steps": -1}, "steps -1 is not accepted: a whole number from 0 to 10000."),
    ({"fail": "boom"}, "fail 'boom' is not accepted: one of error, invalid or crash."),
    ({"oom_above": "x"}, "oom_above 'x' is not accepted: one of auto, "),
    ({"zzz": 1}, "zzz 1 is not accepted: not a known field; known: crash_at, echo, fail, oom_above, step_s, steps."),
])
def test_a_bad_diagnostic_job_is_one_sentence(params, sentence):
    with pytest.raises(InvalidRequest) as err:
        validate_diagnostic(params)
    assert str(err.value).startswith(sentence)
    assert validate_diagnostic({"steps": 3, "step_s": 0.01, "echo": "hi"}) == {"steps": 3, "step_s": 0.01, "echo": "hi"}
