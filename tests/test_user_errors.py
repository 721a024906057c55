"""User-facing errors are recognised by their class (engine.errors.UserError), never by name:
the browser shows their sentence as it is, the CLI prints it with exit code 2, and anything
else stays a calm sentence with the traceback in the log."""

from __future__ import annotations

import gradio as gr
import pytest

from engine.errors import EngineError, InvalidRequest, OutOfMemory, UserError, WeightsUnavailable
from engine.models import CardError
from studio.cli import main
from studio.export.run import ExportError
from studio.jobs.service import PolicyBlocked
from studio.prompts.presets import PresetError
from studio.safety.frames import FrameCheckerUnavailable
from studio.ui.common import guarded


@pytest.mark.parametrize("cls", [EngineError, WeightsUnavailable, ExportError, PolicyBlocked, PresetError, CardError,
                                 FrameCheckerUnavailable])
def test_every_user_facing_error_derives_from_the_base(cls):
    assert issubclass(cls, UserError)


@pytest.mark.parametrize("err", [ExportError("The logo file is not an image."), WeightsUnavailable("No weights here."),
                                 OutOfMemory("The GPU ran out of memory.", "balanced"),
                                 InvalidRequest("steps", 0, "1 to 200")])
def test_the_browser_shows_a_user_errors_sentence_as_it_is(err):
    def handler():
        raise err

    with pytest.raises(gr.Error) as caught:
        guarded(handler)()
    assert caught.value.message == str(err)


def test_any_other_failure_is_one_calm_sentence_in_the_browser(caplog):
    class Surprise(Exception):
        pass

    def handler():
        raise Surprise("internal detail /secret/path")

    with pytest.raises(gr.Error) as caught:
        guarded(handler)()
    assert "/secret/path" not in caught.value.message and "studio's log" in caught.value.message
    assert "internal detail" in caplog.text


def test_the_cli_prints_a_user_errors_sentence_without_its_class_name(capsys):
    assert main(["studio", "--port", "99999"]) == 2
    err = capsys.readouterr().err
    assert err == "shotline: --port 99999 is not accepted: a port number from 0 to 65535.\n"
