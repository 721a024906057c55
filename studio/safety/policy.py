"""studio.safety: the prompt policy. Categories with Chinese and English terms live in
presets/safety/*.json; a company adds brand-safety terms by dropping another file there
or in SHOTLINE_HOME/safety/. English terms match whole words (plurals included); Chinese
terms match as substrings but must be two characters or more; each category's allow
phrases ("killer deal", "nude lipstick", 裸色) are masked out before matching, so
ordinary marketing copy is not blocked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from engine.schema import FileModel, Refused, file_sentence
from studio.prompts.presets import Bilingual, PresetError, read_json

ACTIONS = ("block", "warn")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


@dataclass(frozen=True)
class SafetyResult:
    """What check() found: nothing (flagged False), a warning, or a block."""

    flagged: bool = False
    blocked: bool = False
    category: str = ""
    category_name: str = ""
    term: str = ""
    message: str = ""
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Category:
    id: str
    name: dict[str, str]
    action: str
    advice: dict[str, str] | None
    file: str
    en_terms: tuple[str, ...]
    zh_terms: tuple[str, ...]
    en_allow: tuple[str, ...]
    zh_allow: tuple[str, ...]
    en_re: re.Pattern[str] | None
    allow_re: re.Pattern[str] | None


def normalise(text: str) -> str:
    """NFKC (full-width letters become ASCII), lower case, curly apostrophes straightened."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def _phrase_pattern(phrases: tuple[str, ...], plurals: bool) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alts = []
    for p in sorted(phrases, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in p.split())
        alts.append(body + (r"(?:s|es)?" if plurals and p[-1].isalpha() else ""))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + r")(?![a-z0-9])")


class TermLists(FileModel):
    """{"en": [...], "zh": [...]}; either may be left out. Terms are normalised (NFKC, lower case)."""

    en: list[str] = []
    zh: list[str] = []

    @field_validator("en", "zh")
    @classmethod
    def _normalised(cls, items: list[str]) -> list[str]:
        if any(not t.strip() for t in items):
            raise Refused("", items, "every term must be a non-empty string", verb="has")
        return [normalise(t.strip()) for t in items]

    @field_validator("zh")
    @classmethod
    def _two_characters(cls, items: list[str]) -> list[str]:
        short = [t for t in items if len(t) < 2]
        if short:
            raise Refused("", short[0], "a Chinese term needs two characters or more, or it would match ordinary words",
                          verb="has")
        return items


class CategoryFile(FileModel):
    """presets/safety/<file>.json (or SHOTLINE_HOME/safety/): one category of the policy."""

    category: str = Field(pattern=r"^[a-z0-9_\-]+$",
                          json_schema_extra={"accepted": "lower-case letters, digits, '_' or '-'"})
    name: Bilingual
    action: Literal["block", "warn"]
    terms: TermLists
    allow: TermLists = TermLists()
    advice: Bilingual | None = None

    @field_validator("terms")
    @classmethod
    def _some_terms(cls, terms: TermLists) -> TermLists:
        if not terms.en and not terms.zh:
            raise Refused("", terms.model_dump(), "it has no terms in 'en' or 'zh'", verb="has")
        return terms


def parse_category(path: Path) -> Category:
    try:
        data = CategoryFile.model_validate(read_json(path))
    except ValidationError as err:
        raise PresetError(file_sentence(err, path.name, CategoryFile)) from None
    terms, allow = data.terms, data.allow
    en_terms = tuple(t for t in terms.en if not CJK.search(t))
    zh_terms = tuple(terms.zh) + tuple(t for t in terms.en if CJK.search(t))
    allow_all = (*allow.en, *allow.zh)
    return Category(data.category, data.name.model_dump(), data.action,
                    data.advice.model_dump() if data.advice else None, path.name, en_terms, zh_terms,
                    tuple(allow.en), tuple(allow.zh), _phrase_pattern(en_terms, plurals=True),
                    _phrase_pattern(tuple(a for a in allow_all if not CJK.search(a)), plurals=True))


class SafetyPolicy:
    """The categories loaded from one or more folders; `check(prompt)` is the gate every
    prompt passes before it is queued."""

    def __init__(self, categories: list[Category]) -> None:
        if not categories:
            raise PresetError("The safety policy has no categories; presets/safety/ needs at least one file.")
        self.categories = categories

    def check(self, prompt: str) -> SafetyResult:
        """The first blocking match, else the first warning, else a clean result."""
        text = normalise(prompt)
        warning: SafetyResult | None = None
        for cat in self.categories:
            term = self._match(cat, text)
            if term is None:
                continue
            result = self._result(cat, term, prompt)
            if result.blocked:
                return result
            warning = warning or result
        return warning or SafetyResult()

    def check_speech(self, speech: str) -> SafetyResult:
        """Words in dialogue and voice-over are burned in as subtitles, not drawn: a match is a
        warning on the shot, never a block (the prompt alone is what check() may block)."""
        text = normalise(speech)
        for cat in self.categories:
            term = self._match(cat, text)
            if term is None:
                continue
            zh = bool(CJK.search(speech))
            name = cat.name["zh" if zh else "en"]
            message = (f"注意：台词字幕含有“{term}”（{name}），字幕会烧录进视频，发布前请核实。" if zh else
                       f'Warning: the subtitles contain "{term}" ({name}); they are burned into the video, '
                       "so check them before publishing.")
            return SafetyResult(True, False, cat.id, name, term, message, cat.file)
        return SafetyResult()

    @staticmethod
    def _match(cat: Category, text: str) -> str | None:
        masked = cat.allow_re.sub(lambda m: " " * len(m.group(0)), text) if cat.allow_re else text
        for phrase in cat.zh_allow:
            masked = masked.replace(phrase, " " * len(phrase))
        for term in cat.zh_terms:
            if term in masked:
                return term
        if cat.en_re:
            found = cat.en_re.search(masked)
            if found:
                return found.group(0)
        return None

    @staticmethod
    def _result(cat: Category, term: str, prompt: str) -> SafetyResult:
        zh = bool(CJK.search(prompt))
        name = cat.name["zh" if zh else "en"]
        if cat.action == "block":
            message = (f"已拦截：提示词含有“{term}”，属于{name}。" if zh else
                       f'Blocked: the prompt contains "{term}", which the safety policy lists under {name}.')
        else:
            advice = cat.advice["zh" if zh else "en"] if cat.advice else ""
            message = (f"注意：提示词含有“{term}”（{name}），{advice.rstrip('。') or '发布前请核实'}。" if zh else
                       f'Warning: the prompt mentions "{term}" ({name}); {advice[:1].lower() + advice[1:] if advice else "check it before publishing."}')
        return SafetyResult(True, cat.action == "block", cat.id, name, term, message.strip(), cat.file)

    def to_dict(self) -> list[dict[str, Any]]:
        return [{"category": c.id, "name": c.name, "action": c.action, "file": c.file,
                 "terms": len(c.en_terms) + len(c.zh_terms)} for c in self.categories]


def policy_folders() -> list[Path]:
    """presets/safety/ and, where it exists, SHOTLINE_HOME/safety/ (a company's own files)."""
    from shotline.data import preset_path
    from studio.paths import home

    return [preset_path("safety"), home() / "safety"]


def load_policy(folders: list[Path] | None = None) -> SafetyPolicy:
    """Every *.json category file in `folders` (default: policy_folders()), validated."""
    categories: list[Category] = []
    for folder in folders or policy_folders():
        if Path(folder).is_dir():
            categories.extend(parse_category(p) for p in sorted(Path(folder).glob("*.json")))
    return SafetyPolicy(categories)


@lru_cache(maxsize=4)
def _cached(key: tuple[str, ...]) -> SafetyPolicy:
    return load_policy([Path(k) for k in key])


def check(prompt: str) -> SafetyResult:
    """The default policy's verdict on `prompt`: the gate before a prompt is queued."""
    return default_policy().check(prompt)


def default_policy() -> SafetyPolicy:
    """The policy from policy_folders(), read once per set of folders (a new file needs a new process)."""
    return _cached(tuple(str(p) for p in policy_folders()))
