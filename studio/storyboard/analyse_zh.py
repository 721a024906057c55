"""studio.storyboard: Chinese shot analysis with jieba's part-of-speech tags (nouns,
verbs, places). jieba's dictionary is loaded once per process, on first use."""

from __future__ import annotations

import threading
from typing import Any

from studio import zh

_LOCK = threading.Lock()

NOUN_TAGS = {"n", "nr", "ns", "nt", "nz", "ng", "nrt", "nrfg", "s", "an", "vn", "j", "eng"}
MODIFIER_TAGS = NOUN_TAGS | {"a", "b", "ad", "m", "q", "mq", "f", "x"}
VERB_TAGS = {"v", "vd", "vg", "vi", "vq"}
PLACE_VERBS = ("在", "于", "到", "走进", "来到", "穿过", "走过", "经过", "进入", "回到", "坐在", "站在", "走在", "躺在", "漫步")
SPLITTERS = set("，,、；;。！？!?…：:")


_ADDED: set[str] = set()


def pos_tags(text: str, names: set[str] = frozenset()) -> list[tuple[str, str]]:  # type: ignore[assignment]
    """(word, tag) pairs; the first call loads jieba's dictionary (about a second).
    Character names are added to jieba's dictionary so they stay whole."""
    import jieba.posseg as pseg

    jieba = zh.jieba()
    for name in names - _ADDED:
        with _LOCK:
            if name not in _ADDED and CJK_NAME(name):
                jieba.add_word(name, freq=100000, tag="nr")
            _ADDED.add(name)
    return [(p.word, p.flag) for p in pseg.lcut(text, HMM=False)]


def CJK_NAME(name: str) -> bool:  # noqa: N802 - reads as a predicate
    return any("\u3400" <= c <= "\u9fff" for c in name)


def _is_place(word: str, tag: str, lex: dict[str, list[str]], skip: frozenset[str] = frozenset()) -> bool:
    if word in lex["place_exclude"] or tag in VERB_TAGS or word in skip:
        return False
    if tag in ("ns", "s"):
        return True
    return tag in NOUN_TAGS and word.endswith(_suffixes(lex))


_SUFFIXES: dict[int, tuple[str, ...]] = {}


def _suffixes(lex: dict[str, list[str]]) -> tuple[str, ...]:
    key = id(lex["place_suffixes"])
    if key not in _SUFFIXES:
        _SUFFIXES[key] = tuple(lex["place_suffixes"])
    return _SUFFIXES[key]


def _is_person(word: str, tag: str, lex: dict[str, list[str]], names: set[str]) -> bool:
    return word in names or tag in ("nr", "nrfg", "nrt") or word in lex["people"] or word in lex["pronouns"] or (
        tag in NOUN_TAGS and len(word) > 1 and word[-1] in "".join(lex["people_suffixes"]) and word not in lex["place_exclude"])


def analyse(text: str, lex: dict[str, list[str]], names: set[str], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """subject, action and setting of one Chinese (or mixed) shot text; `skip`: words
    that are never a place (time-of-day words such as 夕阳)."""
    text = lead_time.sub("", text, count=1) if (lead_time := _lead_time_re(skip)) else text
    tags = pos_tags(text, names)
    # character names jieba splits apart are rejoined so they count as people
    words = [w for w, _ in tags]
    # setting: a place word with the nouns and modifiers right before it
    setting = ""
    for i, (word, tag) in enumerate(tags):
        if _is_place(word, tag, lex, skip):
            start = i
            while start > 0 and tags[start - 1][1] in NOUN_TAGS | {"a", "b"} and tags[start - 1][0] not in SPLITTERS \
                    and not _is_person(*tags[start - 1], lex, names):
                start -= 1
            end = i + 1
            while end < len(tags) and (_is_place(*tags[end], lex, skip) or tags[end][1] == "f"):
                end += 1
            if len(word) == 1 and start == i and not (
                    (i > 0 and tags[i - 1][1] in ("p", "m", "mq")) or (i + 1 < len(tags) and tags[i + 1][1] == "f")):
                continue  # a lone one-character "place" (闻香) is too often something else; 在锦里, 整条河 are places
            setting = "".join(words[start:end])
            break
    # subject: the first person (or failing that, the first noun) with its modifiers
    subject, subj_end = "", 0
    clause_start = 0
    for i, (word, tag) in enumerate(tags):
        if word in SPLITTERS:
            clause_start = i + 1
            continue
        if _is_person(word, tag, lex, names):
            j = i + 1
            while j < len(tags) and (tags[j][0] in names or tags[j][1] in ("nr", "nrfg") or tags[j][0] in "和与跟及"):
                j += 1
            start = clause_start
            if not any(w == "的" for w in words[clause_start:i]):
                start = i
            subject, subj_end = "".join(words[start:j]), j
            break
    if not subject:
        for i, (word, tag) in enumerate(tags):
            if tag in NOUN_TAGS and word.strip() and word not in SPLITTERS and word not in skip \
                    and not _is_place(word, tag, lex, skip):
                start = i
                while start > 0 and tags[start - 1][1] in MODIFIER_TAGS | {"uj"} and tags[start - 1][0] not in SPLITTERS:
                    start -= 1
                subject, subj_end = "".join(words[start:i + 1]), i + 1
                break
    # action: from the first verb after the subject to the end of its clause(s)
    action = ""
    for i in range(subj_end, len(tags)):
        if tags[i][1] in VERB_TAGS or tags[i][0] in PLACE_VERBS:
            action = "".join(words[i:]).strip("，,。.！!？?；; ")
            break
    return {"subject": subject, "action": action, "setting": setting, "moving": _moving(words)}


_LEAD_CACHE: dict[frozenset[str], Any] = {}


def _lead_time_re(skip: frozenset[str]):  # noqa: ANN202 - a compiled pattern or None
    """A leading time phrase (夕阳下，/ 黄昏时，/ 黎明时分，) so it is not read as the subject."""
    if not skip:
        return None
    if skip not in _LEAD_CACHE:
        import re

        words = "|".join(re.escape(w) for w in sorted(skip, key=len, reverse=True))
        _LEAD_CACHE[skip] = re.compile(rf"^\s*(?:在)?(?:{words})(?:时分|时|下|里|中|的时候)?\s*[，,、\s]\s*")
    return _LEAD_CACHE[skip]


MOTION = ("走", "跑", "骑", "开车", "飞", "游", "跳", "漫步", "穿过")


def _moving(words: list[str]) -> bool:
    joined = "".join(words)
    return any(w in joined for w in MOTION)
