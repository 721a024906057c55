"""studio.prompts: loading and validating the preset data files under presets/ (styles,
prompt templates, camera moves, lexicons). Presets are data, never code: a new style is
a new file. Every file is validated on load and an error names the file and the key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.models import PRESETS_DIR

LANGS = ("en", "zh")


class PresetError(ValueError):
    """A preset file is malformed; the message names the file and the key."""


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from `path`, or a PresetError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise PresetError(f"{path.name}: not valid JSON ({err.msg} at line {err.lineno}).") from None
    except UnicodeDecodeError:
        raise PresetError(f"{path.name}: not UTF-8 text.") from None
    if not isinstance(data, dict):
        raise PresetError(f"{path.name}: the top level must be a JSON object, not {type(data).__name__}.")
    return data


def need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """data[key] if present and of `kind`; otherwise a PresetError naming `where` and the key."""
    if key not in data:
        raise PresetError(f"{where}: key '{key}' is missing.")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = " or ".join(t.__name__ for t in (kind if isinstance(kind, tuple) else (kind,)))
        raise PresetError(f"{where}: key '{key}' has {value!r}; expected {names}.")
    return value


def bilingual(data: dict[str, Any], key: str, where: str, allow_empty: bool = False) -> dict[str, str]:
    """A {"en": str, "zh": str} pair under `key`."""
    value = need(data, key, dict, where)
    for lang in LANGS:
        text = need(value, lang, str, f"{where}: key '{key}'")
        if not allow_empty and not text.strip():
            raise PresetError(f"{where}: key '{key}.{lang}' is empty.")
    return {lang: value[lang] for lang in LANGS}


def string_list(data: dict[str, Any], key: str, where: str) -> list[str]:
    value = need(data, key, list, where)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise PresetError(f"{where}: key '{key}[{i}]' has {item!r}; expected a non-empty string.")
    return value


@dataclass(frozen=True)
class StylePreset:
    id: str
    name: dict[str, str]
    positive: dict[str, str]
    negative: dict[str, str]
    steps: int
    guidance: float
    flow_shift: float
    loras: tuple[dict[str, Any], ...] = ()  # {"model", "source", "scale"}: LoRAs this style adds on that model

    def to_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "name": self.name, "positive": self.positive, "negative": self.negative,
                "recommended": {"steps": self.steps, "guidance": self.guidance, "flow_shift": self.flow_shift}}
        if self.loras:
            data["loras"] = [dict(entry) for entry in self.loras]
        return data

    def loras_for(self, model: str) -> list[dict[str, Any]]:
        """The style's LoRAs for `model`, as request LoRAs ({"source", "scale"})."""
        return [{"source": e["source"], "scale": e["scale"]} for e in self.loras if e["model"] == model]


def _style_loras(data: dict[str, Any], where: str) -> tuple[dict[str, Any], ...]:
    """A style's optional `loras`: [{"model": id, "source": file or hf:..., "scale": number}]."""
    value = data.get("loras", [])
    if not isinstance(value, list):
        raise PresetError(f"{where}: key 'loras' has {value!r}; expected a list.")
    out = []
    for i, entry in enumerate(value):
        ok = isinstance(entry, dict) and set(entry) == {"model", "source", "scale"} \
            and isinstance(entry["model"], str) and isinstance(entry["source"], str) and entry["source"] \
            and isinstance(entry["scale"], (int, float)) and not isinstance(entry["scale"], bool)
        if not ok:
            raise PresetError(f"{where}: key 'loras[{i}]' has {entry!r}; expected model, source and scale.")
        out.append({"model": entry["model"], "source": entry["source"], "scale": float(entry["scale"])})
    return tuple(out)


def parse_style(path: Path) -> StylePreset:
    data = read_json(path)
    where = path.name
    allowed = {"id", "name", "positive", "negative", "recommended", "loras"}
    extra = sorted(set(data) - allowed)
    if extra:
        raise PresetError(f"{where}: unknown key(s) {extra}; accepted: {sorted(allowed)}.")
    sid = need(data, "id", str, where)
    if sid != path.stem:
        raise PresetError(f"{where}: key 'id' is {sid!r} but must match the file name {path.stem!r}.")
    rec = need(data, "recommended", dict, where)
    steps = need(rec, "steps", int, f"{where}: key 'recommended'")
    guidance = need(rec, "guidance", (int, float), f"{where}: key 'recommended'")
    shift = need(rec, "flow_shift", (int, float), f"{where}: key 'recommended'")
    if not 1 <= steps <= 200:
        raise PresetError(f"{where}: key 'recommended.steps' is {steps}; accepted: 1 to 200.")
    if not 0 < guidance <= 20:
        raise PresetError(f"{where}: key 'recommended.guidance' is {guidance}; accepted: above 0, at most 20.")
    if not 0 < shift <= 20:
        raise PresetError(f"{where}: key 'recommended.flow_shift' is {shift}; accepted: above 0, at most 20.")
    return StylePreset(sid, bilingual(data, "name", where), bilingual(data, "positive", where),
                       bilingual(data, "negative", where, allow_empty=True), steps, float(guidance), float(shift),
                       _style_loras(data, where))


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    description: str
    order: tuple[str, ...]
    joiner: dict[str, str]
    end: dict[str, str]


TEMPLATE_PARTS = ("subject", "scene", "motion", "camera", "aesthetic", "style")


def parse_template(path: Path) -> PromptTemplate:
    data = read_json(path)
    where = path.name
    tid = need(data, "id", str, where)
    if tid != path.stem:
        raise PresetError(f"{where}: key 'id' is {tid!r} but must match the file name {path.stem!r}.")
    order = string_list(data, "order", where)
    bad = [p for p in order if p not in TEMPLATE_PARTS]
    if bad or sorted(order) != sorted(TEMPLATE_PARTS):
        raise PresetError(f"{where}: key 'order' is {order}; it must name each of {', '.join(TEMPLATE_PARTS)} once.")
    return PromptTemplate(tid, need(data, "description", str, where), tuple(order),
                          bilingual(data, "joiner", where, allow_empty=True), bilingual(data, "end", where, allow_empty=True))


@dataclass(frozen=True)
class CameraTerm:
    id: str
    kind: str  # "size" | "move"
    en: str
    zh: str
    aliases: tuple[str, ...]
    prompt: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "en": self.en, "zh": self.zh}


def parse_camera(path: Path) -> dict[str, list[CameraTerm]]:
    data = read_json(path)
    out: dict[str, list[CameraTerm]] = {}
    for key, kind in (("sizes", "size"), ("moves", "move")):
        items = need(data, key, list, path.name)
        out[key] = []
        for i, item in enumerate(items):
            where = f"{path.name}: {key}[{i}]"
            if not isinstance(item, dict):
                raise PresetError(f"{where} must be an object.")
            out[key].append(CameraTerm(need(item, "id", str, where), kind, need(item, "en", str, where),
                                       need(item, "zh", str, where), tuple(string_list(item, "aliases", where)),
                                       bilingual(item, "prompt", where)))
    return out


def parse_lexicon_entries(path: Path, text_key: str) -> list[dict[str, Any]]:
    """Entries of a times/moods lexicon: id, zh words, en words and a bilingual `text_key`."""
    data = read_json(path)
    entries = need(data, "entries", list, path.name)
    out = []
    for i, item in enumerate(entries):
        where = f"{path.name}: entries[{i}]"
        if not isinstance(item, dict):
            raise PresetError(f"{where} must be an object.")
        out.append({"id": need(item, "id", str, where), "zh": string_list(item, "zh", where),
                    "en": string_list(item, "en", where), text_key: bilingual(item, text_key, where)})
    return out


@dataclass(frozen=True, eq=False)  # hashed by identity: caches key on the loaded object
class Presets:
    """Everything under presets/ the storyboard and prompt rooms read, validated."""

    styles: dict[str, StylePreset]
    templates: dict[str, PromptTemplate]
    camera: dict[str, list[CameraTerm]]
    times: list[dict[str, Any]]
    moods: list[dict[str, Any]]
    en: dict[str, list[str]]
    zh: dict[str, list[str]]

    def style(self, name: str) -> StylePreset:
        """The style with id (or English / Chinese name) `name`; one sentence listing the known ones otherwise."""
        key = name.strip().lower().replace(" ", "-").replace("_", "-")
        if key in self.styles:
            return self.styles[key]
        for style in self.styles.values():
            if name.strip() in (style.name["zh"], style.name["en"]) or key == style.name["en"].lower().replace(" ", "-"):
                return style
        raise ValueError(f"Style {name!r} is not known; choose one of: {', '.join(sorted(self.styles))}.")

    def template(self, name: str) -> PromptTemplate:
        if name not in self.templates:
            raise ValueError(f"Prompt template {name!r} is not known; choose one of: {', '.join(sorted(self.templates))}.")
        return self.templates[name]


def _word_lists(path: Path, keys: tuple[str, ...]) -> dict[str, list[str]]:
    data = read_json(path)
    return {key: string_list(data, key, path.name) for key in keys}


def load_presets(folder: Path | None = None) -> Presets:
    """Read and validate every preset file under `folder` (default: the project's presets/)."""
    root = Path(folder) if folder else PRESETS_DIR
    styles = {s.id: s for s in (parse_style(p) for p in sorted((root / "styles").glob("*.json")))}
    if not styles:
        raise PresetError(f"{root / 'styles'}: no style presets found.")
    templates = {t.id: t for t in (parse_template(p) for p in sorted((root / "templates").glob("*.json")))}
    if "wan" not in templates:
        raise PresetError(f"{root / 'templates'}: the 'wan' template is missing.")
    lex = root / "lexicon"
    return Presets(
        styles=styles, templates=templates, camera=parse_camera(root / "camera.json"),
        times=parse_lexicon_entries(lex / "times.json", "lighting"),
        moods=parse_lexicon_entries(lex / "moods.json", "aesthetic"),
        en=_word_lists(lex / "en.json", ("people", "places", "pronouns", "verbs", "stop_subject")),
        zh=_word_lists(lex / "zh.json", ("people", "people_suffixes", "place_suffixes", "place_exclude", "pronouns")),
    )


@lru_cache(maxsize=1)
def default_presets() -> Presets:
    """The project's presets, read once per process."""
    return load_presets()
