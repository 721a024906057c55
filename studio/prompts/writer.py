"""studio.prompts: the rule-based prompt writer, after Wan's formula (the order Wan's own
prompt-extension instructions use): style -> subject with appearance -> action in simple
verbs -> setting -> time and lighting of this shot -> camera -> shot size. It keeps the
script's own words and language, resolves pronouns to the last named character, writes
products the same way in every shot, says that a person speaks without the words, and
never repeats the shot before. The fixed phrases are data in presets/prompts/formula.json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from shotline.data import preset_path
from studio.prompts.characters import CharacterCard, describe
from studio.prompts.clean import clean, fdx_picture
from studio.prompts.presets import Presets, StylePreset
from studio.prompts.products import ProductCard, mentioned, shot_product_names
from studio.storyboard.analyse import HUMAN_VERBS, LEAD_CAMERA_ZH, inline_dialogue
from studio.storyboard.model import Shot

MAIN_TIMES = ("dawn", "morning", "noon", "day", "sunset", "dusk", "night")
DAY_TIMES = ("dawn", "morning", "noon", "day")
EN_SUBJECT_PRONOUN = re.compile(r"(^|[,;]\s+)(he|she|they|it|we|i)\b(?!['’])", re.I)
ZH_SUBJECT_PRONOUN = re.compile(r"(^|[，；。])(他们|她们|它们|我们|咱们|他|她|它|我)(?!的|们)")
EN_ARTICLE = re.compile(r"^(?:a|an|one)\s+", re.I)
ZH_COUNT = re.compile(r"^(?:一位|一个|一名|一只|一群|几个|一对|两个|一辆|一杯|一瓶|一盒)")


@lru_cache(maxsize=1)
def formula() -> dict[str, Any]:
    """presets/prompts/formula.json, read once."""
    return json.loads(preset_path("prompts/formula.json").read_text(encoding="utf-8"))


HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_RUN = re.compile(r"[A-Za-z0-9]+")
EN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def prompt_length(text: str, lang: str) -> int:
    """English words, or Chinese characters (a Latin word inside Chinese counts as one)."""
    if lang == "zh":
        return len(HAN.findall(text)) + len(LATIN_RUN.findall(text))
    return len(EN_WORD.findall(text))


@dataclass
class Memory:
    """What the writer carries from one shot to the next within a storyboard."""

    scene: int = -1
    people: list[str] = field(default_factory=list)  # people of this scene, most recent last
    person: str = ""  # the last named (or described) person
    thing: str = ""  # the last subject that is not a person
    setting: str = ""  # the last setting of this scene
    prompts: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # the storyboard's named characters
    fdx: str = ""  # the Final Draft paragraph type open at the end of the shot before

    def enter(self, shot: Shot) -> None:
        if shot.scene != self.scene:
            self.scene, self.people, self.setting = shot.scene, [], ""

    def saw(self, who: str) -> None:
        if who:
            if who in self.people:
                self.people.remove(who)
            self.people.append(who)
            self.person = who


def _is_person(subject: str, shot: Shot, presets: Presets, names: Iterable[str] = ()) -> bool:
    if not subject:
        return False
    if subject in shot.characters or subject in names:
        return True
    if shot.language == "zh" or re.search(r"[\u3400-\u9fff]", subject):
        if any(w in subject for w in presets.zh["people"]):
            return True
        names = formula()["zh_name"]  # 李明, 小红, 阿强: a given name the script uses as a subject
        if 2 <= len(subject) <= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", subject) and (
                subject[0] in names["surnames"] or (subject[0] in names["prefixes"] and len(subject) == 2)):
            return True
        return subject[-1:] in presets.zh["people_suffixes"] and len(subject) <= 6
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", subject)}
    if words & set(presets.en["people"]):
        return True
    # a capitalised name doing what people do: "Anna walks", "Mr. Lee opens" (not "Rain falls")
    verb = (shot.action.split() or [""])[0].lower()
    stem = re.sub(r"(ies|es|s)$", lambda m: "y" if m.group(1) == "ies" else "", verb)
    return bool(re.fullmatch(r"(?:(?:Mr|Mrs|Ms|Dr)\.?\s)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?", subject)) and \
        (stem in HUMAN_VERBS or verb.rstrip("s") in HUMAN_VERBS)


def _definite(subject: str, lang: str) -> str:
    """The way a later shot refers back to a described person: "a hiker" -> "the hiker"."""
    if lang == "zh":
        return ZH_COUNT.sub("", subject)
    return EN_ARTICLE.sub("the ", subject) if EN_ARTICLE.match(subject) else subject


def _resolve(text: str, shot: Shot, mem: Memory, lang: str) -> str:
    """The first subject pronoun replaced by whom it means (the last named character)."""
    rx = ZH_SUBJECT_PRONOUN if lang == "zh" else EN_SUBJECT_PRONOUN
    m = rx.search(text)
    if not m:
        return text
    word = m.group(2).lower()
    named = [p for p in shot.characters if p and clean(p)] or ([mem.person] if mem.person else [])
    if word in ("we", "i", "我们", "咱们", "我"):
        who = formula()["first_person"][lang]
    elif word in ("it", "它", "它们"):
        who = mem.thing
    elif word in ("they", "他们", "她们") and len(mem.people) >= 2:
        who = ("和" if lang == "zh" else " and ").join(mem.people[-2:])
    else:
        who = named[0] if named else ""
    cjk = bool(re.search(r"[\u3400-\u9fff]", who))
    if not who or (lang == "en" and cjk):  # a Chinese description never enters an English sentence
        who = formula()["pronoun_fallback"].get(word, "")  # no one named yet: "a woman", not "she"
    if not who:
        return text
    if lang == "en" and not m.group(1):
        who = who[:1].upper() + who[1:]
    return text[: m.start(2)] + who + text[m.end(2):]


@lru_cache(maxsize=4)
def _time_patterns(presets: Presets) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One compiled pattern per time-of-day entry (Chinese words anywhere, English as words)."""
    out = []
    for entry in presets.times:
        alts = [re.escape(w) for w in entry["zh"]] + [rf"\b{re.escape(w)}\b" for w in entry["en"]]
        out.append((entry["id"], re.compile("|".join(alts), re.I)))
    return tuple(out)


@lru_cache(maxsize=8)
def _words(kind: str, lang: str) -> re.Pattern[str]:
    """formula()'s `kind` words (daylight_words, night_words) as one pattern."""
    words = [re.escape(w) for w in formula()[kind][lang]]
    return re.compile("|".join(words)) if lang == "zh" else re.compile(rf"\b(?:{'|'.join(words)})\b", re.I)


def _times(text: str, presets: Presets) -> list[str]:
    """Time-of-day and weather ids the text itself names, in the order it names them."""
    hits: list[tuple[int, str]] = []
    for tid, rx in _time_patterns(presets):
        m = rx.search(text)
        if m:
            hits.append((m.start(), tid))
    if _words("night_words", "zh").search(text) or _words("night_words", "en").search(text):
        hits.append((len(text), "night"))
    seen: list[str] = []
    for _, tid in sorted(hits):
        if tid not in seen:
            seen.append(tid)
    return seen


def lighting(shot: Shot, visual: str, presets: Presets, lang: str | None = None) -> tuple[str, str]:
    """(lighting words, main time id) from this shot: its own words and heading first, then
    the time the storyboard carried into it; never a daylight phrase on a night shot."""
    ids = _times(visual + " " + shot.heading, presets) or ([shot.time_of_day] if shot.time_of_day else [])
    day = formula()["heading_day"]
    if not any(t in MAIN_TIMES for t in ids) and (
            any(re.search(rf"\b{w}\b", shot.heading) for w in day["words"]) or any(w in shot.heading for w in day["zh"])):
        ids = ["day", *ids]  # INT. KITCHEN - DAY / 日 内
    main = next((t for t in ids if t in MAIN_TIMES), "")
    rest = [t for t in ids if t not in MAIN_TIMES]
    lang = lang or ("zh" if shot.language == "zh" else "en")
    by_id = {e["id"]: e["lighting"][lang] for e in presets.times} | {"day": day["lighting"][lang]}
    phrases = [by_id[t] for t in ([main] if main else []) + rest if t in by_id]
    text = ("，" if lang == "zh" else ", ").join(phrases)
    return (text or formula()["neutral_lighting"][lang]), main


def contradicts(text: str, main: str, lang: str) -> bool:
    """Whether `text` names daylight on a night shot, or night on a daytime shot."""
    if main == "night":
        return bool(_words("daylight_words", lang).search(text))
    if main in DAY_TIMES:
        return bool(_words("night_words", lang).search(text))
    return False


def _style(style: StylePreset | None, lang: str, main: str) -> str:
    if style is None:
        return formula()["default_style"][lang]
    sep = "，" if lang == "zh" else ", "
    items = [s.strip() for s in re.split(r"[，,]", style.positive[lang]) if s.strip()]
    return sep.join(s for s in items if not contradicts(s, main, lang))


def _speech(shot: Shot, who: str, mem: Memory, lang: str) -> str:
    f = formula()["speech"]
    said = shot.subtitle.strip()
    if shot.mood in f["expression"]:
        kind = shot.mood
    elif said.endswith(("?", "？")):
        kind = "question"
    elif said.endswith(("!", "！")):
        kind = "exclaim"
    elif said.endswith(("...", "…", "……")):
        kind = "hesitant"
    else:
        kind = "default"
    others = [p for p in mem.people if p != who]
    to = f["to"][lang].format(other=others[-1]) if others else ""
    return f[lang].format(who=who, to=to, expression=f["expression"][kind][lang], gesture=f["gesture"][lang])


def _with_products(text: str, products: list[ProductCard], lang: str) -> tuple[str, list[ProductCard]]:
    """`text` with each product it shows described the same way as everywhere else."""
    shown = []
    for card in products:
        span = mentioned(card, text)
        if span is None:
            continue
        shown.append(card)
        start, end = span
        if text[start:end].lower() != card.name.lower() and card.name.lower() not in text.lower():
            text, end = text[:start] + card.name + text[end:], start + len(card.name)
        note = card.description(lang)
        if note and note not in text:
            text = text[:end] + (f"（{note}）" if lang == "zh" else f" ({note})") + text[end:]
    return text, shown


def _setting(shot: Shot, visual: str, mem: Memory, kind: str, lang: str) -> str:
    f = formula()["setting"]
    setting = clean(shot.setting or mem.setting)
    if setting and (lang == "zh") != bool(re.search(r"[\u3400-\u9fff]", setting)):
        setting = ""  # an English heading's place does not go into a Chinese prompt, nor the reverse
    if setting and setting.lower() in visual.lower():
        return f["known"][lang]
    moves = formula()["en_motion_prepositions"]
    if not setting:
        setting = f[kind][lang]
    elif lang == "en":
        first = setting.split(" ", 1)
        if first[0].lower() in moves and len(first) > 1:
            setting = moves[first[0].lower()] + " " + first[1]
        elif not re.match(r"(in|at|on|inside|by|near|under|over|along|beside|outside|against)\b", setting, re.I):
            if re.match(r"(the|a|an)\b", setting, re.I) or setting[:1].isupper():  # "Brick's patio", "London"
                setting = "in " + setting
            else:
                setting = ("in an " if setting[:1].lower() in "aeiou" else "in a ") + setting
    elif setting.endswith(tuple(formula()["enclosed_suffixes"])):
        setting += "里"
    return f[lang].format(setting=setting)


def shot_language(shot: Shot) -> str:
    """The language the shot's prompt is written in: that of its picture, else of its
    speech and speakers (a line-only shot "李明：早上好！" is Chinese), else the shot's."""
    from studio.storyboard.analyse import language

    visual = inline_dialogue(shot.text)[0]
    said = " ".join([shot.subtitle, *(d.get("speaker") or "" for d in shot.dialogue)])
    for text in (visual if visual.strip() != shot.subtitle.strip() else "", said):
        if re.search(r"[\w\u3400-\u9fff]", text):
            return language(text)
    return "zh" if shot.language == "zh" else "en"


def parts_for(shot: Shot, style: StylePreset | None, cards: dict[str, CharacterCard], presets: Presets,
              products: list[ProductCard], mem: Memory) -> dict[str, str]:
    """The prompt's parts for `shot` (style, subject with action, motion, scene, aesthetic,
    camera, detail), in the shot's language; advances `mem`."""
    lang = shot_language(shot)
    mem.enter(shot)
    picture, mem.fdx = fdx_picture(shot.text, mem.fdx)  # Final Draft XML read as text: its speech stays out
    visual, _ = inline_dialogue(picture)
    stripped = LEAD_CAMERA_ZH.sub("", visual, count=1)
    visual = clean(stripped if re.search(r"[\w\u3400-\u9fff]", stripped) else visual)
    visual = visual.rstrip("。.!！?？;；,，:：、 ")
    # on-screen speech only: a voice-over or a subtitle card is heard or read, nobody speaks in the picture
    onscreen = [d for d in shot.dialogue if d.get("kind", "dialogue") == "dialogue"]
    speakers = [d["speaker"] for d in onscreen if d.get("speaker") and clean(d["speaker"])]  # not "镜头 1"
    subtitle = shot.subtitle.strip()
    said = bool(shot.dialogue) and (not visual or (subtitle and clean(subtitle).rstrip("。.!！?？") == visual))
    if said:
        visual = ""  # the words are heard, not seen: "早上好" is no morning light
    speech_only = said and bool(onscreen)
    light, main = lighting(shot, visual, presets, lang)
    visual = _resolve(visual, shot, mem, lang)
    visual, shown = _with_products(visual, products, lang)
    named = [n for n in shot_product_names(shot) if not any(mentioned(c, n) for c in shown)]
    shown += [c for c in products if c.name in named]
    subject = clean(shot.subject)
    if subject and re.match(r"(?i)(he|she|they|it|we|i|there|this|that|他|她|他们|她们|它|我们|我|大家)(\b|['’]|$)", subject):
        subject = ""
    surnames = formula()["zh_name"]["surnames"]
    if lang == "zh" and len(subject) == 1 and subject in surnames and re.match(rf"{subject}[\u4e00-\u9fff]", visual):
        subject = visual[:2]  # jieba cut 李|明走进 where it does not know the name yet: a given name is most often 2
    person = speakers[0] if speakers else next((c for c in shot.characters if c and clean(c)), "")
    if not person and _is_person(subject, shot, presets, mem.names):
        person = _definite(subject, lang)
    if not person and not shown and products and not shot.action:
        shown = products[:1]  # an ad line without a picture of its own shows the product
    kind = "person" if person else ("product" if shown else "thing")
    motion = ""
    if speech_only:
        who = person or mem.person or formula()["first_person"][lang]
        motion = _speech(shot, who, mem, lang)
        person, kind = who, "person"
    elif not visual:
        fallback = (shown[0].name if shown else "") or mem.person or mem.thing
        if fallback:
            kind = "person" if fallback == mem.person and not shown else ("product" if shown else "thing")
            motion = formula()["still_action"][kind][lang].format(who=fallback)
    elif not shot.action and not shot.dialogue:
        who = person or (shown[0].name if shown else "") or subject
        if shown and who.lower() not in visual.lower():
            motion = formula()["still_action"]["product"][lang].format(who=shown[0].name)
        elif who and who.lower() in visual.lower() and prompt_length(who, lang) < prompt_length(visual, lang) \
                and prompt_length(who, lang) <= (6 if lang == "en" else 12):
            motion = formula()["still_action"][kind][lang].format(who=_definite(who, lang))
        else:
            motion = formula()["still_action"]["scene"][lang]
    elif speakers and person:
        motion = _speech(shot, person, mem, lang)
    if not visual and not motion:
        motion = formula()["still_action"]["scene"][lang]
    for name in [*shot.characters, *speakers]:
        if name in cards:
            if name in visual:
                visual = describe(cards[name], visual, lang)
            elif name in motion:
                motion = describe(cards[name], motion, lang)
    for card in shown:  # a product the still action names is described as everywhere else
        if card.name in motion and not (card.description(lang) and card.description(lang) in visual):
            motion, _ = _with_products(motion, [card], lang)
    sizes = {c.id: c for c in presets.camera["sizes"]}
    moves = {c.id: c for c in presets.camera["moves"]}
    camera = [moves[shot.camera.movement].prompt[lang]] if shot.camera.movement in moves else []
    extra = formula()["camera_extra"]
    angle, speed = getattr(shot.camera, "angle", ""), getattr(shot.camera, "speed", "")
    if angle in extra and angle != shot.camera.size:
        camera.append(extra[angle][lang])
    if shot.camera.size in sizes:
        camera.append(sizes[shot.camera.size].prompt[lang])
        framing = formula()["framing"].get(shot.camera.size)
        if framing:
            camera.append(framing[lang])
    if speed in extra:
        camera.append(extra[speed][lang])
    mood = next((m["aesthetic"][lang] for m in presets.moods if m["id"] == shot.mood), "")
    scene = _setting(shot, visual + " " + motion, mem, kind, lang)
    # remember for the next shots
    for name in shot.characters:
        if clean(name):  # not a shot label the reader took for a name
            mem.saw(name)
    if person and person not in shot.characters:
        mem.saw(person)
    if subject and not _is_person(subject, shot, presets, mem.names):
        mem.thing = _definite(subject, lang)
    if shot.setting:
        mem.setting = clean(shot.setting)
    sep = "，" if lang == "zh" else ", "
    return {
        "style": _style(style, lang, main), "subject": visual, "motion": motion, "scene": scene,
        "aesthetic": sep.join(p for p in (light, mood) if p), "camera": sep.join(camera),
        "detail": formula()["detail"][kind][lang], "motion_detail": formula()["motion_detail"][kind][lang],
        "_main": main, "_lang": lang,
    }


def render(parts: dict[str, str], order: tuple[str, ...], joiner: str, end: str, lang: str,
           detail: int = 0) -> str:
    """The parts in template order as sentences (Wan's examples are short sentences); with
    `detail` 1 the detail sentence follows the light, with 2 a motion sentence as well."""
    pieces = []
    extra = ("detail", "motion_detail")[:detail]
    for name in order:
        for key in (name, *extra) if name == "aesthetic" else (name,):
            text = parts.get(key, "").strip().rstrip("。.，, ")
            if not text:
                continue
            if lang == "en" and joiner.startswith("."):
                text = text[:1].upper() + text[1:]
            pieces.append(text)
    return joiner.join(pieces) + end if pieces else ""
