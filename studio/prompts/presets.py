"""studio.prompts: loading and validating the preset data files under presets/ (styles,
prompt templates, camera moves, lexicons). Presets are data, never code: a new style is
a new file. Styles, templates and camera terms are pydantic models; every file is
validated on load and an error is one sentence naming the file, the key and the value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from engine.errors import UserError
from engine.schema import FileModel, Refused, file_sentence
from shotline.data import preset_path
from shotline.data import shipped as _shipped

LANGS = ("en", "zh")
PRESETS_DIR = _shipped("presets")  # the shipped folder; read through preset_path() so SHOTLINE_PRESETS applies


class PresetError(UserError, ValueError):
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


class Bilingual(FileModel):
    """{"en": ..., "zh": ...}: the same words in both languages, neither left blank."""

    en: str
    zh: str

    @model_validator(mode="after")
    def _not_blank(self) -> Bilingual:
        for lang in LANGS:
            if not getattr(self, lang).strip():
                raise Refused(lang, getattr(self, lang), "it must not be empty")
        return self


class MaybeBlank(FileModel):
    """{"en": ..., "zh": ...} where either may be empty (a negative prompt, a joiner)."""

    en: str
    zh: str


class Recommended(FileModel):
    steps: int = Field(ge=1, le=200, json_schema_extra={"accepted": "1 to 200"})
    guidance: float = Field(gt=0, le=20, json_schema_extra={"accepted": "above 0, at most 20"})
    flow_shift: float = Field(gt=0, le=20, json_schema_extra={"accepted": "above 0, at most 20"})


class StyleFile(FileModel):
    """presets/styles/<id>.json."""

    id: str
    name: Bilingual
    positive: Bilingual
    negative: MaybeBlank
    recommended: Recommended
    loras: list[Any] = []  # checked by _style_loras (model, source, scale)


def _validated(model: type[FileModel], path: Path) -> Any:
    try:
        return model.model_validate(read_json(path))
    except ValidationError as err:
        raise PresetError(file_sentence(err, path.name, model)) from None


def _id_is_file_name(value: str, path: Path) -> None:
    if value != path.stem:
        raise PresetError(f"{path.name}: key 'id' is {value!r} but must match the file name {path.stem!r}.")


def parse_style(path: Path) -> StylePreset:
    data: StyleFile = _validated(StyleFile, path)
    _id_is_file_name(data.id, path)
    rec = data.recommended
    return StylePreset(data.id, data.name.model_dump(), data.positive.model_dump(), data.negative.model_dump(),
                       rec.steps, float(rec.guidance), float(rec.flow_shift), _style_loras({"loras": data.loras}, path.name))


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    description: str
    order: tuple[str, ...]
    joiner: dict[str, str]
    end: dict[str, str]


TEMPLATE_PARTS = ("subject", "scene", "motion", "camera", "aesthetic", "style")


class TemplateFile(FileModel):
    """presets/templates/<id>.json: the order of the prompt's parts and how they are joined."""

    id: str
    description: str
    order: list[str]
    joiner: MaybeBlank
    end: MaybeBlank

    @field_validator("order")
    @classmethod
    def _each_part_once(cls, order: list[str]) -> list[str]:
        if sorted(order) != sorted(TEMPLATE_PARTS):
            raise Refused("", order, f"it must name each of {', '.join(TEMPLATE_PARTS)} once")
        return order


def parse_template(path: Path) -> PromptTemplate:
    data: TemplateFile = _validated(TemplateFile, path)
    _id_is_file_name(data.id, path)
    return PromptTemplate(data.id, data.description, tuple(data.order), data.joiner.model_dump(), data.end.model_dump())


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


class CameraEntry(FileModel):
    id: str = Field(min_length=1)
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)
    prompt: Bilingual

    @field_validator("aliases")
    @classmethod
    def _no_blank_alias(cls, aliases: list[str]) -> list[str]:
        if any(not a.strip() for a in aliases):
            raise Refused("", aliases, "every alias must be a non-empty string")
        return aliases


class CameraFile(FileModel):
    """presets/camera.json: shot sizes and camera moves, with the words that name them."""

    model_config = ConfigDict(extra="ignore")  # room for notes beside the two lists
    sizes: list[CameraEntry]
    moves: list[CameraEntry]


def parse_camera(path: Path) -> dict[str, list[CameraTerm]]:
    data: CameraFile = _validated(CameraFile, path)
    return {key: [CameraTerm(e.id, kind, e.en, e.zh, tuple(e.aliases), e.prompt.model_dump()) for e in getattr(data, key)]
            for key, kind in (("sizes", "size"), ("moves", "move"))}


Words = Annotated[list[Annotated[str, Field(min_length=1, pattern=r"\S")]], Field()]


def _entries_model(text_key: str) -> type[FileModel]:
    """A times/moods lexicon: entries of id, zh words, en words and a bilingual `text_key`."""
    entry = create_model(f"LexiconEntry_{text_key}", __base__=FileModel, id=(str, ...), zh=(Words, ...),
                         en=(Words, ...), **{text_key: (Bilingual, ...)})
    return create_model(f"Lexicon_{text_key}", __base__=FileModel, description=(str, ""),
                        entries=(list[entry], ...))  # type: ignore[valid-type]


def parse_lexicon_entries(path: Path, text_key: str) -> list[dict[str, Any]]:
    """Entries of a times/moods lexicon: id, zh words, en words and a bilingual `text_key`."""
    data = _validated(_entries_model(text_key), path)
    return [{"id": e.id, "zh": list(e.zh), "en": list(e.en), text_key: getattr(e, text_key).model_dump()}
            for e in data.entries]


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
    """A word lexicon (en.json, zh.json): a description and one list of words per key."""
    model = create_model(f"Words_{path.stem}", __base__=FileModel, description=(str, ""),
                         **{key: (Words, ...) for key in keys})
    data = _validated(model, path)
    return {key: list(getattr(data, key)) for key in keys}


def load_presets(folder: Path | None = None) -> Presets:
    """Read and validate every preset file under `folder` (default: the shipped presets/, with SHOTLINE_PRESETS over them)."""
    def at(name: str) -> Path:  # `folder` whole, or the shipped presets with SHOTLINE_PRESETS over them
        return Path(folder) / name if folder else preset_path(name)

    styles = {s.id: s for s in (parse_style(p) for p in sorted(at("styles").glob("*.json")))}
    if not styles:
        raise PresetError(f"{at('styles')}: no style presets found.")
    templates = {t.id: t for t in (parse_template(p) for p in sorted(at("templates").glob("*.json")))}
    if "wan" not in templates:
        raise PresetError(f"{at('templates')}: the 'wan' template is missing.")
    lex = at("lexicon")
    return Presets(
        styles=styles, templates=templates, camera=parse_camera(at("camera.json")),
        times=parse_lexicon_entries(lex / "times.json", "lighting"),
        moods=parse_lexicon_entries(lex / "moods.json", "aesthetic"),
        en=_word_lists(lex / "en.json", ("people", "places", "pronouns", "verbs", "stop_subject")),
        zh=_word_lists(lex / "zh.json", ("people", "people_suffixes", "place_suffixes", "place_exclude", "pronouns")),
    )


@lru_cache(maxsize=1)
def default_presets() -> Presets:
    """The project's presets, read once per process."""
    return load_presets()
