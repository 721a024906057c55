"""studio.storyboard: the named characters of a whole script, in both languages, found
once before the shots are analysed: speakers and screenplay cues, `名叫X` / `叫做X`,
`X（二十五岁…）` introductions and 人物：lists, `named X` / `called X`, `Anna (30s)`,
and the capitalised introductions of screenplays (`BRICK BRADDOCK, retired…`). jieba's
person tags add more per shot (studio.storyboard.analyse_zh)."""

from __future__ import annotations

import re

from studio.storyboard.analyse_zh import SURNAMES
from studio.storyboard.split import Beat

ZH_NAMED = re.compile(r"(?:名叫|叫做|名为|名字叫|名字是|唤作)([\u4e00-\u9fff]{2,3})(?=[，,。.！!？?、的和与\s（(]|$)")
ZH_SAYS = re.compile(r"([\u4e00-\u9fff]{2,3}?)(?:笑着|低声|大声|轻声|小声|温柔地|激动地|认真地|冷冷地|淡淡地)?"
                     r"(?:说道|说|问道|问|喊道|喊|答道|回答)[：:，,]?\s*[“「\"]")
ZH_INTRO = re.compile(r"(?:^|[\n、，,；;：:]\s*)([\u4e00-\u9fff]{2,4})\s*[（(](?=[^)）]{0,30}(?:岁|男|女|饰|演|主角|配角|"
                      r"学生|老师|妈妈|爸爸|母亲|父亲|医生|警察|老板|职员|程序员|设计师|记者|的))", re.M)
ZH_CAST = re.compile(r"^[\s>*-]*(?:【\s*(?:人物|角色|出场人物|主要人物|主演)\s*】\s*[：:]?|(?:\*\*)?(?:人物|角色|出场人物|主要人物|主演)"
                     r"(?:\*\*)?\s*[：:])\s*(.+)$", re.M)
EN_NAMED = re.compile(r"\b(?:named|called)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")
EN_INTRO = re.compile(r"^\s*([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s*[(（]\s*(?:\d|[a-z]+\s*\d|age)", re.M)
EN_ACTOR = re.compile(r"(?:(?<=[a-z,;] )|(?<=^)|(?<=[.!?] )|(?<=\n))([A-Z][a-z]{2,})(?: and ([A-Z][a-z]{2,}))? "
                      r"(?=(?:[a-z]+ly )?([a-z]{3,})\b)", re.M)
MIXED_PAIR = re.compile(r"(?<![A-Za-z])([A-Z][a-z]{2,})\s*(?:和|与|跟|、)\s*([A-Z][a-z]{2,})(?![A-Za-z])")
MIDWAY = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]{2,})\b")
TITLE_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Miss|Prof)\.? ([A-Z][a-z]+)\b")
MORE_VERBS = frozenset("""share exchange enter grab stare shrug sigh grin frown blink rush hurry climb jump kneel crouch
reach point nod shake stand sit lie fall cry yell scream whisper mutter glare peer turn look walk run smile laugh hold
take give hand pull push open close lean step hop fight punch kick swing""".split())
NOT_ACTORS = {"The", "This", "That", "Then", "There", "These", "Those", "Now", "Later", "When", "While", "After", "Before",
              "She", "They", "His", "Her", "Its", "Our", "Your", "Their", "What", "Who", "Why", "How", "Where", "Suddenly",
              "Meanwhile", "Inside", "Outside", "Close", "Wide", "Camera", "Cut", "Fade", "Shot", "Scene", "Music", "Sound",
              "Everyone", "Everything", "Nobody", "Someone", "Something", "One", "Two", "Three", "All", "Both", "Each",
              "Slowly", "Quickly", "Finally", "Just", "Still", "Even", "Only", "Back", "Over", "Under", "From", "With"}
CAPS_INTRO = re.compile(r"(?<![A-Za-z'])([A-Z][A-Z'\-]+(?:\s[A-Z][A-Z'\-]+){0,2})(?=\s*(?:\(\d|,\s*[a-z]))")
NOT_NAMES = {"INT", "EXT", "CUT", "FADE", "DAY", "NIGHT", "THE", "END", "CONTINUED", "SCREEN", "DOOR", "SFX", "VO",
             "POV", "OTS", "CU", "ECU", "MCU", "WS", "MS", "TV", "OK", "USA", "UK", "CEO", "LATER", "CONTINUOUS",
             "SUPER", "TITLE", "MUSIC", "BANG", "BOOM", "INSERT", "ANGLE", "CLOSE", "WIDE", "BACK", "SCENE", "SOUND"}
ZH_NOT_NAMES = {"镜头", "画面", "旁白", "字幕", "场景", "时长", "音乐", "音效", "产品", "品牌", "特写", "远景", "近景", "中景",
                "全景", "航拍", "备注"}
ROLE_NOUN = re.compile(r"(?:MAN|WOMAN|MEN|WOMEN|BOY|GIRL|KID|KIDS|GUY|LADY|COP|GUARD|AGENT|OFFICER|DOCTOR|NURSE|DRIVER|"
                       r"SOLDIER|WAITER|WAITRESS|MINION|VILLAIN|HERO|TEACHER|STUDENT|MOTHER|FATHER|MOM|DAD|KING|QUEEN|"
                       r"PRINCE|PRINCESS|BOSS|CHEF|CLERK|SHERIFF|DETECTIVE|THUG|HENCHMAN|BARTENDER|STRANGER|CAPTAIN)$")
CAPS_ROLE = re.compile(r"(?<![A-Za-z'])((?:[A-Z][A-Z'\-]+\s){0,2}[A-Z][A-Z'\-]+)(?![A-Za-z'])")


def script_names(text: str, beats: list[Beat]) -> dict[str, str]:
    """alias -> name for every named character the script introduces or gives a line."""
    names: dict[str, str] = {}

    def add(name: str, alias: str | None = None) -> None:
        name = name.strip()
        if not name or len(name) > 24 or name.upper() in NOT_NAMES or name in ZH_NOT_NAMES:
            return
        names.setdefault(alias or name, name)

    for beat in beats:
        for who in [beat.speaker, *(d.get("speaker") or "" for d in beat.dialogue)]:
            if who and len(who) <= 20:
                add(who)
    for match in ZH_NAMED.finditer(text):
        add(match.group(1))
    for match in ZH_INTRO.finditer(text):
        add(match.group(1))
    for match in ZH_SAYS.finditer(text):  # 林悦笑着说：“…” names the speaker
        name = match.group(1)
        if name[0] in SURNAMES and name not in ZH_NOT_NAMES:
            add(name)
    for match in ZH_CAST.finditer(text):  # 人物：李明（25岁）、小红 / 【角色】受辱的新郎（…）VS 鄙夷的岳母（…）
        cast = re.sub(r"[（(][^)）]*[)）]", "", match.group(1))
        for part in re.split(r"[、，,；;/。]|\s+(?:VS|vs|和|与|&)\s+|\s*VS\s*", cast):
            name = part.strip(" *")
            if 2 <= len(name) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", name):
                short = name.rsplit("的", 1)[-1]  # 受辱的新郎 is 新郎
                add(short if 2 <= len(short) <= 4 else name)
                if short != name:
                    names.setdefault(name, names.get(short, short))
    for match in EN_NAMED.finditer(text):
        add(match.group(1))
    for match in EN_INTRO.finditer(text):
        add(match.group(1))
    cues = {n for n in names.values()}
    for match in CAPS_INTRO.finditer(text):  # BRICK BRADDOCK, retired…: the cue BRICK's full name
        full = match.group(1)
        if all(w.strip("'-") not in NOT_NAMES for w in full.split()):
            title = full.title()
            cue = next((w for w in title.split() if w in cues), None)
            if cue is not None:
                names.setdefault(title, cue)  # the cue's name stays the character's name
                continue
            add(title)
            for word in title.split():
                if len(word) > 2 and word.upper() not in NOT_NAMES:
                    names.setdefault(word, title)
    from studio.storyboard.analyse import HUMAN_VERBS

    midway = set(MIDWAY.findall(text))  # capitalised inside a sentence at least once: a name, not a first word
    for match in TITLE_NAME.finditer(text):
        add(match.group(1))
    for match in EN_ACTOR.finditer(text):  # "Brick and Steel share a look", "Mike enters the room"
        verb = match.group(3)
        pair = match.group(2) is not None
        if not pair and (not verb.endswith("s") or match.group(1) not in midway):
            continue
        stems = {verb, verb[:-1], verb[:-2], verb[:-3] + "y", verb[:-3] + "e"}  # smiles, watches, carries, shared
        if stems.isdisjoint(HUMAN_VERBS) and stems.isdisjoint(MORE_VERBS):
            continue
        for name in match.group(1, 2):
            if name and name not in NOT_ACTORS and name.upper() not in NOT_NAMES:
                add(names.get(name, name)) if name not in names else None
    for match in MIXED_PAIR.finditer(text):  # 看到 Will 和 Josephine 提着行李
        for name in match.group(1, 2):
            if name not in NOT_ACTORS and name not in names:
                add(name)
    for match in CAPS_ROLE.finditer(text):  # "The MAILMAN is just leaving": a screenplay introduces people in capitals
        full = match.group(1)
        if ROLE_NOUN.search(full) and len(full) > 2 and not text[max(0, match.start() - 1): match.start()].isupper():
            add(full.title())
    return names
