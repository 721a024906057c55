"""studio.storyboard: Chinese shot analysis with jieba's part-of-speech tags (nouns,
verbs, places, person names). jieba's dictionary is loaded once per process, on first
use, and never changed: a request's character names are joined after tagging."""

from __future__ import annotations

from typing import Any

from studio import zh

NOUN_TAGS = {"n", "nr", "ns", "nt", "nz", "ng", "nrt", "nrfg", "s", "an", "vn", "j", "eng"}
MODIFIER_TAGS = NOUN_TAGS | {"a", "b", "ad", "m", "q", "mq", "f", "x"}
VERB_TAGS = {"v", "vd", "vg", "vi", "vq"}
PLACE_VERBS = ("在", "于", "到", "走进", "来到", "穿过", "走过", "经过", "进入", "回到", "坐在", "站在", "走在", "躺在", "漫步")
SPLITTERS = set("，,、；;。！？!?…：:")


def pos_tags(text: str, names: set[str] = frozenset()) -> list[tuple[str, str]]:  # type: ignore[assignment]
    """(word, tag) pairs; the first call loads jieba's dictionary (about a second).
    Character names stay whole: the tokens that cover a name are joined into one person
    token here, so one request's names never change the tokenizer other requests use
    (jieba's own dictionary is shared by the whole process and never written to)."""
    import jieba.posseg as pseg

    zh.jieba()
    tags = [(p.word, p.flag) for p in pseg.lcut(text, HMM=False)]
    wanted = [n for n in names if CJK_NAME(n) and n in text]
    return _join_names(tags, text, wanted) if wanted else tags


def _join_names(tags: list[tuple[str, str]], text: str, names: list[str]) -> list[tuple[str, str]]:
    spans: dict[int, int] = {}  # start -> end of each name occurrence, longest first, no overlaps
    taken = [False] * len(text)
    for name in sorted(names, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(taken[start:end]):
                spans[start] = end
                for i in range(start, end):
                    taken[i] = True
            start = text.find(name, end)
    out: list[tuple[str, str]] = []
    pos = 0
    pending_end = -1
    for word, tag in tags:
        start, end = pos, pos + len(word)
        pos = end
        if pending_end > start:  # inside a name already emitted
            if end > pending_end:
                out.append((text[pending_end:end], tag))
            continue
        cut = next((s for s in spans if start < s < end), None)
        if cut is not None:  # a token that runs into a name: its part before the name stays
            out.append((text[start:cut], tag))
            start = cut
        if start in spans:
            pending_end = spans[start]
            out.append((text[start:pending_end], "nr"))
            if end > pending_end:
                out.append((text[pending_end:end], tag))
            continue
        out.append((text[start:end], tag))
    return out


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
    found = _surname_names(tags, lex)
    if found:  # 李/明 -> 李明, a person
        tags = _join_names(tags, text, found)
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
    # jieba's dictionary tags many common words nr (阳光, 孙子, 汤汁): only full names and
    # transliterations count, and the names it cuts apart (_surname_names)
    people = [w for w, t in tags if (((t == "nr" and len(w) == 3 and w[0] in SURNAMES) or (t == "nrt" and len(w) >= 2
                                      and w[0] not in "地的得")) and w not in lex["pronouns"] and w not in lex["people"])
              or w in names or w in found]
    return {"subject": subject, "action": action, "setting": setting, "moving": _moving(words), "names": people}


SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
               "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
NOT_GIVEN = set("的了着在是和与也都就还又很不没说道走跑看来去上下里外中大小一二三四五六七八九十个只把被从向对给到")


def _surname_names(tags: list[tuple[str, str]], lex: dict[str, list[str]]) -> list[str]:
    """Names jieba's fast mode cuts apart (李/明): a surname tagged as a person followed by a
    one-character given name, before a verb or a break."""
    out = []
    for i in range(len(tags) - 1):
        word, tag = tags[i]
        nxt, ntag = tags[i + 1]
        if (len(word) == 1 and word in SURNAMES and tag in ("nr", "nrfg", "ng", "n", "a") and len(nxt) == 1 and CJK_NAME(nxt)
                and nxt not in NOT_GIVEN and ntag not in ("x", "uj", "ul", "p", "c", "r", "m", "q", "f", "d", "v")
                and (i + 2 >= len(tags) or tags[i + 2][1] in VERB_TAGS | {"x", "p", "d", "c", "uj", "ul", "vn"}
                     or tags[i + 2][0] in SPLITTERS)):
            name = word + nxt
            if name not in lex["people"] and name not in out:
                out.append(name)
    return out


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
