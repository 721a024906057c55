"""engine.voice: the offline eSpeak NG engine speaks Chinese and English to a WAV, bad input
gets one sentence, and the Kokoro card's loading path goes through the hub cache and says
in one sentence when its weights (or its package) are missing."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from engine.errors import InvalidRequest, WeightsUnavailable
from engine.voice import (
    find_voice,
    kokoro_weights,
    list_voice_cards,
    list_voices,
    speak,
    weights_state,
    write_wav,
)


def _voice_band_share(samples: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(spec[(freqs >= 300) & (freqs <= 3400)].sum() / spec.sum())


@pytest.mark.parametrize("text, lang, voice", [("旁白：春天来了，城市醒了。", "zh", "espeak-zh"),
                                               ("The city wakes up in spring.", "en", "espeak-en")])
def test_offline_engine_speaks_chinese_and_english_to_a_wav(tmp_path: Path, text: str, lang: str, voice: str) -> None:
    speech = speak(text, lang)
    assert (speech.engine, speech.voice, speech.robotic) == ("espeak-ng", voice, True)
    assert 0.8 < speech.duration_s < 6
    assert np.sqrt(np.mean(speech.samples ** 2)) > 0.02  # it is not silence
    assert _voice_band_share(speech.samples, speech.sample_rate) > 0.5  # energy sits in the voice band
    path = write_wav(speech, tmp_path / "line.wav")
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, speech.sample_rate)
        assert w.getnframes() == len(speech.samples)


def test_speed_changes_the_length_of_the_line() -> None:
    slow = speak("Every shot has its own line of voice over.", "en", speed=0.7).duration_s
    fast = speak("Every shot has its own line of voice over.", "en", speed=1.6).duration_s
    assert fast < slow * 0.7


@pytest.mark.parametrize("kwargs, words", [
    ({"text": "", "lang": "en"}, "text '' is not accepted: a line of 1 to 2000 characters"),
    ({"text": "   ", "lang": "zh"}, "text '   ' is not accepted"),
    ({"text": "字" * 10_000, "lang": "zh"}, "(10000 characters)' is not accepted"),
    ({"text": "hi", "lang": "en", "voice": "nobody"}, "voice 'nobody' is not accepted: one of the English voices: espeak-en"),
    ({"text": "hi", "lang": "en", "voice": "espeak-zh"}, "a voice that speaks English (this one speaks Chinese)"),
    ({"text": "hi", "lang": "fr"}, "lang 'fr' is not accepted: zh or en"),
    ({"text": "hi", "lang": "en", "speed": 3}, "speed 3 is not accepted: a number from 0.5 to 2"),
])
def test_bad_input_gets_one_sentence(kwargs: dict, words: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        speak(**kwargs)
    message = str(err.value)
    assert words in message and message.count(". ") == 0 and "\n" not in message


def test_cards_are_data_and_every_voice_names_its_language() -> None:
    cards = {c.id: c for c in list_voice_cards()}
    assert cards["espeak-ng"].robotic and not cards["kokoro"].robotic
    assert cards["kokoro"].repo_id == "hexgrad/Kokoro-82M" and cards["kokoro"].licence == "Apache-2.0"
    langs = {(card.id, v.lang) for card, v in list_voices()}
    assert {("espeak-ng", "zh"), ("espeak-ng", "en"), ("kokoro", "zh"), ("kokoro", "en")} <= langs
    assert find_voice(None, "zh")[1].name == "espeak-zh"


def _stand_in_hub(cache: Path, files: dict[str, bytes]) -> None:
    """A hub cache laid out as huggingface_hub writes it, holding stand-in files."""
    repo = cache / "models--hexgrad--Kokoro-82M"
    commit = "0" * 40
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    for name, data in files.items():
        target = repo / "snapshots" / commit / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def test_kokoro_without_weights_offline_says_so_in_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    card = next(c for c in list_voice_cards() if c.id == "kokoro")
    assert weights_state(card) == "missing"
    with pytest.raises(WeightsUnavailable) as err:
        speak("你好", "zh", "zf_xiaobei")
    message = str(err.value)
    assert "hexgrad/Kokoro-82M" in message and "HF_HUB_OFFLINE is set" in message and "voices/zf_xiaobei.pt" in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_kokoro_weights_resolve_from_the_hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in: files in the hub cache at the card's revision are found without a
    download; then the loading path needs the `kokoro` package and says so when it is absent."""
    cache = tmp_path / "hub"
    _stand_in_hub(cache, {"config.json": b"{}", "kokoro-v1_0.pth": b"stand-in", "voices/af_heart.pt": b"stand-in"})
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    card, voice = find_voice("af_heart", "en")
    assert weights_state(card) == "local"
    found = kokoro_weights(card, voice)
    assert found["kokoro-v1_0.pth"].read_bytes() == b"stand-in" and str(cache) in str(found["voices/af_heart.pt"])
    try:
        import kokoro  # noqa: F401
    except ImportError:
        with pytest.raises(WeightsUnavailable, match=r"needs the `kokoro` Python package"):
            speak("Hello", "en", "af_heart")


def test_kokoro_loading_path_with_a_stand_in_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in `kokoro` module (named as such: the real package and its weights cannot run
    here) records what the loading path hands it: the cached files, never a hub download."""
    import sys
    import types

    import engine.voice as voice_mod

    cache = tmp_path / "hub"
    _stand_in_hub(cache, {"config.json": b"{}", "kokoro-v1_0.pth": b"w", "voices/zf_xiaobei.pt": b"v"})
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    seen: dict = {}

    class KModel:
        def __init__(self, repo_id=None, config=None, model=None):  # noqa: ANN001
            seen["model"] = (repo_id, Path(config).read_bytes(), Path(model).read_bytes())

        def eval(self):  # noqa: ANN201
            return self

    class KPipeline:
        def __init__(self, lang_code, repo_id=None, model=None):  # noqa: ANN001
            seen["pipeline"] = (lang_code, repo_id, isinstance(model, KModel))

        def __call__(self, text, voice, speed):  # noqa: ANN001, ANN204
            seen["call"] = (text, Path(voice).read_bytes(), speed)
            yield "g", "p", np.full(24000, 0.1, dtype=np.float32)
            yield "g", "p", np.full(12000, 0.1, dtype=np.float32)

    monkeypatch.setitem(sys.modules, "kokoro", types.SimpleNamespace(KModel=KModel, KPipeline=KPipeline))
    monkeypatch.setattr(voice_mod, "_kokoro_models", {})
    speech = speak("春天来了", "zh", "zf_xiaobei", speed=1.2)
    assert seen == {"model": ("hexgrad/Kokoro-82M", b"{}", b"w"), "pipeline": ("z", "hexgrad/Kokoro-82M", True),
                    "call": ("春天来了", b"v", 1.2)}
    assert (speech.engine, speech.voice, speech.robotic, speech.sample_rate) == ("kokoro", "zf_xiaobei", False, 24000)
    assert speech.duration_s == pytest.approx(1.5)
