"""engine: text to speech. Engines are data cards in presets/voices/*.json (like the model
cards); each card lists its voices with a language (zh or en).

- `espeak` is eSpeak NG, driven through ctypes from the library and data that the
  espeakng-loader wheel ships: offline out of the box, robotic; the fallback for drafts,
  tests and CPU demos.
- `kokoro` is Kokoro-82M (Apache-2.0) through the `kokoro` package; its weights come
  from the Hugging Face hub through the same cache, download and HF_HUB_OFFLINE handling
  as the Wan weights (engine.weights), and missing weights raise `WeightsUnavailable`
  with one sentence.

`speak(text, lang, voice, speed)` returns a `Speech` (mono float32 samples); `write_wav`
saves it as 16-bit PCM. Never imports `studio`.
"""

from __future__ import annotations

import ctypes
import json
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidRequest, WeightsUnavailable
from shotline.data import preset_path

LANGS = ("zh", "en")
MAX_CHARS = 2000
SPEED_RANGE = (0.5, 2.0)
_LANG_NAMES = {"zh": "Chinese", "en": "English"}
DEFAULT_VOICE = {"zh": "espeak-zh", "en": "espeak-en"}


@dataclass(frozen=True)
class Voice:
    name: str
    lang: str
    id: str  # the engine's own voice id (eSpeak voice name, Kokoro language code)
    description: str
    engine: str  # the card id


@dataclass(frozen=True)
class VoiceCard:
    id: str
    engine: str
    label: str
    robotic: bool
    licence: str
    source: str
    sample_rate: int
    note: str
    voices: tuple[Voice, ...]
    repo_id: str = ""
    revision: str = "main"
    files: tuple[str, ...] = ()


@dataclass
class Speech:
    samples: np.ndarray  # mono float32 in [-1, 1]
    sample_rate: int
    engine: str  # card id
    voice: str  # voice name
    robotic: bool

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def _voices_dir() -> Path:
    return preset_path("voices")


def list_voice_cards() -> list[VoiceCard]:
    cards = []
    for path in sorted(_voices_dir().glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        voices = tuple(Voice(v["name"], v["lang"], v["id"], v.get("description", ""), data["id"]) for v in data["voices"])
        cards.append(VoiceCard(id=data["id"], engine=data["engine"], label=data["label"], robotic=bool(data.get("robotic")),
                               licence=data["licence"], source=data["source"], sample_rate=int(data["sample_rate"]),
                               note=data.get("note", ""), voices=voices, repo_id=data.get("repo_id", ""),
                               revision=data.get("revision", "main"), files=tuple(data.get("files", ()))))
    return cards


def list_voices() -> list[tuple[VoiceCard, Voice]]:
    return [(card, v) for card in list_voice_cards() for v in card.voices]


def find_voice(name: str | None, lang: str) -> tuple[VoiceCard, Voice]:
    """The card and voice for `name` (None: the offline default for `lang`)."""
    if lang not in LANGS:
        raise InvalidRequest("lang", lang, "zh or en")
    wanted = name or DEFAULT_VOICE[lang]
    every = list_voices()
    for card, v in every:
        if v.name == wanted:
            if v.lang != lang:
                raise InvalidRequest("voice", wanted, f"a voice that speaks {_LANG_NAMES[lang]} (this one speaks {_LANG_NAMES[v.lang]})")
            return card, v
    names = ", ".join(v.name for _, v in every if v.lang == lang)
    raise InvalidRequest("voice", wanted, f"one of the {_LANG_NAMES[lang]} voices: {names}")


def check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest("text", text if not isinstance(text, str) else text[:40], f"a line of 1 to {MAX_CHARS} characters")
    if len(text) > MAX_CHARS:
        raise InvalidRequest("text", f"{text[:20]}… ({len(text)} characters)", f"a line of 1 to {MAX_CHARS} characters; split longer text into lines")
    return text.strip()


def speak(text: str, lang: str, voice: str | None = None, speed: float = 1.0) -> Speech:
    """Speak one line; raises InvalidRequest (one sentence) for bad input."""
    text = check_text(text)
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]:
        raise InvalidRequest("speed", speed, f"a number from {SPEED_RANGE[0]:g} to {SPEED_RANGE[1]:g}")
    card, v = find_voice(voice, lang)
    if card.engine == "espeak":
        samples = _espeak().synth(text, v.id, float(speed))
    elif card.engine == "kokoro":
        samples = _kokoro(card, v, text, float(speed))
    else:
        raise InvalidRequest("voice engine", card.engine, "espeak or kokoro")
    return Speech(samples=samples, sample_rate=card.sample_rate, engine=card.id, voice=v.name, robotic=card.robotic)


def write_wav(speech: Speech, path: Path | str) -> Path:
    path = Path(path)
    pcm = (np.clip(speech.samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(speech.sample_rate)
        w.writeframes(pcm.tobytes())
    return path


def weights_state(card: VoiceCard) -> str:
    """"built-in" (no weights), "local" (every file in the hub cache) or "missing"."""
    if not card.repo_id:
        return "built-in"
    from huggingface_hub import try_to_load_from_cache

    from engine.weights import hub_cache_dir

    for name in card.files:
        hit = try_to_load_from_cache(card.repo_id, name, cache_dir=hub_cache_dir(), revision=card.revision)
        if not isinstance(hit, str):
            return "missing"
    return "local"


# --- eSpeak NG through ctypes -------------------------------------------------------------

_SYNTH_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE = 1  # espeakRATE, words per minute
_NORMAL_WPM = 175


class _ESpeak:
    """The process-wide libespeak-ng (it is not thread-safe: one lock around every call)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lock = threading.Lock()
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                          ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if self.rate <= 0:
            raise RuntimeError("eSpeak NG could not start: its data folder from espeakng-loader is missing or unreadable.")
        self.chunks: list[np.ndarray] = []
        self._cb = _SYNTH_CB(self._collect)  # kept referenced: the library calls it later
        self.lib.espeak_SetSynthCallback(self._cb)

    def _collect(self, wav, n, events) -> int:  # noqa: ANN001
        if wav and n > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def synth(self, text: str, voice_id: str, speed: float) -> np.ndarray:
        data = text.encode("utf-8")
        with self.lock:
            self.chunks = []
            if self.lib.espeak_SetVoiceByName(voice_id.encode()) != 0:
                raise RuntimeError(f"eSpeak NG has no voice {voice_id!r} in its data folder.")
            self.lib.espeak_SetParameter(_RATE, int(round(_NORMAL_WPM * speed)), 0)
            if self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None) != 0:
                raise RuntimeError("eSpeak NG could not speak this line.")
            self.lib.espeak_Synchronize()
            chunks, self.chunks = self.chunks, []
        pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return (pcm.astype(np.float32) / 32768.0)


_espeak_instance: _ESpeak | None = None
_espeak_lock = threading.Lock()


def _espeak() -> _ESpeak:
    global _espeak_instance
    with _espeak_lock:
        if _espeak_instance is None:
            _espeak_instance = _ESpeak()
        return _espeak_instance


# --- Kokoro-82M through the hub -----------------------------------------------------------

def kokoro_weights(card: VoiceCard, voice: Voice) -> dict[str, Path]:
    """The card's files and the voice's style vector from the hub cache, downloading them
    when allowed (as for the Wan weights); one sentence when they are missing."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    from engine.weights import _network_reachable, _offline, hub_cache_dir

    names = [*card.files, f"voices/{voice.name}.pt"]
    found: dict[str, Path] = {}
    missing = []
    for name in names:
        try:
            found[name] = Path(hf_hub_download(card.repo_id, name, revision=card.revision, cache_dir=hub_cache_dir(),
                                               local_files_only=True))
        except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
            missing.append(name)
    if missing:
        if _offline():
            why = "HF_HUB_OFFLINE is set"
        elif not _network_reachable():
            why = "the Hugging Face hub cannot be reached"
        else:
            why = ""
        if why:
            raise WeightsUnavailable(
                f"The weights of the {card.label} voice ({card.repo_id}: {', '.join(missing)}) are not in the local "
                f"hub cache and {why}; fetch them on a machine with network access, or use the offline eSpeak NG voices.")
        for name in missing:
            found[name] = Path(hf_hub_download(card.repo_id, name, revision=card.revision, cache_dir=hub_cache_dir()))
    return found


_kokoro_models: dict[str, Any] = {}


def _with_repo(cls: type, card: VoiceCard, **kwargs: Any) -> dict[str, Any]:
    """kokoro >= 0.9 takes `repo_id` (and warns without it); older releases do not."""
    import inspect

    if "repo_id" in inspect.signature(cls.__init__).parameters:
        kwargs["repo_id"] = card.repo_id
    return kwargs


def _kokoro(card: VoiceCard, voice: Voice, text: str, speed: float) -> np.ndarray:
    files = kokoro_weights(card, voice)
    try:
        from kokoro import KModel, KPipeline
    except ImportError:
        raise WeightsUnavailable(
            f"The {card.label} voice needs the `kokoro` Python package (with misaki[zh] for Chinese), "
            "which is not installed here; use the offline eSpeak NG voices or install it.") from None
    key = f"{card.repo_id}@{card.revision}"
    if key not in _kokoro_models:  # local files only: kokoro's own hub fallback is never reached
        _kokoro_models[key] = KModel(**_with_repo(KModel, card, config=str(files["config.json"]),
                                                  model=str(files[card.files[1]]))).eval()
    pipeline = KPipeline(**_with_repo(KPipeline, card, lang_code=voice.id, model=_kokoro_models[key]))
    parts = [np.asarray(audio, dtype=np.float32) for _, _, audio in pipeline(text, voice=str(files[f"voices/{voice.name}.pt"]), speed=speed)
             if audio is not None]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
