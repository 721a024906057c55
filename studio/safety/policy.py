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
from typing import Any

from studio.prompts.presets import PresetError, bilingual, need, read_json, string_list

ACTIONS = ("block", "warn")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
KEYS = {"category", "name", "action", "terms", "allow", "advice"}


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


def parse_category(path: Path) -> Category:
    data = read_json(path)
    where = path.name
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise PresetError(f"{where}: unknown key(s) {unknown}; accepted: {sorted(KEYS)}.")
    cid = need(data, "category", str, where)
    if not re.fullmatch(r"[a-z0-9_\-]+", cid):
        raise PresetError(f"{where}: key 'category' is {cid!r}; use lower-case letters, digits, '_' or '-'.")
    action = need(data, "action", str, where)
    if action not in ACTIONS:
        raise PresetError(f"{where}: key 'action' is {action!r}; accepted: {', '.join(ACTIONS)}.")
    terms = need(data, "terms", dict, where)
    allow = data.get("allow", {"en": [], "zh": []})
    if not isinstance(allow, dict):
        raise PresetError(f"{where}: key 'allow' must be an object with 'en' and 'zh' lists.")
    lists: dict[str, tuple[str, ...]] = {}
    for key, block in (("terms", terms), ("allow", allow)):
        for lang in ("en", "zh"):
            items = string_list(block, lang, f"{where}: key '{key}'") if lang in block else []
            items = [normalise(t.strip()) for t in items]
            if lang == "zh":
                short = [t for t in items if len(t) < 2]
                if short:
                    raise PresetError(f"{where}: key '{key}.zh' has {short[0]!r}; a Chinese term needs two "
                                      f"characters or more, or it would match ordinary words.")
            lists[f"{key}.{lang}"] = tuple(items)
    if not lists["terms.en"] and not lists["terms.zh"]:
        raise PresetError(f"{where}: key 'terms' has no terms in 'en' or 'zh'.")
    advice = bilingual(data, "advice", where) if "advice" in data else None
    en_terms = tuple(t for t in lists["terms.en"] if not CJK.search(t))
    zh_terms = lists["terms.zh"] + tuple(t for t in lists["terms.en"] if CJK.search(t))
    allow_all = lists["allow.en"] + lists["allow.zh"]
    return Category(cid, bilingual(data, "name", where), action, advice, where, en_terms, zh_terms,
                    lists["allow.en"], lists["allow.zh"], _phrase_pattern(en_terms, plurals=True),
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
    from engine.models import PRESETS_DIR
    from studio.paths import home

    return [PRESETS_DIR / "safety", home() / "safety"]


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
