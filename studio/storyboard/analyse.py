"""studio.storyboard: the splitter's second half, beats -> analysed shots. Language,
time of day and lighting, mood, camera, characters, inline dialogue and duration are
found here; subject / action / setting come from analyse_zh (jieba) or analyse_en."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from studio.prompts.presets import Presets
from studio.storyboard import analyse_en, analyse_zh
from studio.storyboard import camera as camera_words
from studio.storyboard.labels import camera_label as _camera_label
from studio.storyboard.labels import label_kind
from studio.storyboard.model import Camera, Shot
from studio.storyboard.split import CJK, Beat, has_words, unquote

QUOTE = re.compile(r"“([^”]*)(?:”|$)|「([^」]*)(?:」|$)|『([^』]*)(?:』|$)|\"([^\"]{2,})(?:\"|$)|‘([^’]{2,})’"
                   r"|(?:(?<=[：:，,\s])|^)'([^'\n]{2,}?)'(?=[。，,.!！?？;；\s]|$)")
SPEAKER_LINE = re.compile(r"^\s*([\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z .'\-]{0,15}?)\s*[：:]\s*(.+)$")
SAY_WORDS = ("说", "道", "问", "喊", "叫", "笑", "答", "讲", "says", "said", "asks", "asked", "shouts", "whispers")
SAY_NEAR = re.compile(r"(?:说|道|问|喊|叫|答|讲|念|唱|告诉|回应|回答|低语|嘀咕|大喊|感叹|说道|[：:]|"
                      r"\b(?:says?|said|asks?|asked|shouts?|shouted|whispers?|whispered|yells?|yelled|replies|replied|"
                      r"tells?|told|calls? out|exclaims?|murmurs?|answers?|sings?|reads?)\b)\s*[,，]?\s*$", re.I)
SAY_AFTER = re.compile(r"^\s*[,，]?\s*(?:[\u3400-\u9fff]{0,4}(?:说|道|问|喊|答|笑道)|(?:he|she|they|[A-Z][a-z]+)\s+"
                       r"(?:says|said|asks|asked|shouts|whispers|replies))", re.I)
NAME_MARK = re.compile(r"(?:品牌|牌子|名为|名叫|叫做|写着|印着|印有|标有|字样|招牌|logo|标志|brand|labell?ed|reads|reading|"
                       r"titled|called|named|sign|slogan)\s*$", re.I)
EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")
LEAD_CAMERA_ZH = re.compile(r"^\s*(?:大特写|特写|近景|中景|全景|远景|航拍|俯拍|仰拍|推镜头|拉镜头|摇镜头|移镜头|跟拍|环绕拍摄|手持|空镜|镜头(?:缓缓)?(?:推进|拉远|环绕|跟随|上升|下降)?)[，,：:、\s]+")
# subtitles are read at speaking pace; a described picture needs less time per word
CJK_PER_S, WORDS_PER_S, MIN_SHOT_S = 4.5, 2.7, 2.0
VISUAL_CJK_PER_S, VISUAL_WORDS_PER_S = 6.0, 3.5
HEADING_TIME = {"day": "noon", "night": "night", "morning": "morning", "evening": "dusk", "dusk": "dusk",
                "dawn": "dawn", "sunset": "sunset", "afternoon": "noon", "noon": "noon", "later": "", "continuous": "",
                "日": "noon", "白天": "noon", "午": "noon", "中午": "noon", "下午": "noon", "夜": "night", "夜晚": "night",
                "晚上": "night", "深夜": "night", "晨": "morning", "清晨": "morning", "早晨": "morning", "早上": "morning",
                "黎明": "dawn", "黄昏": "dusk", "傍晚": "dusk", "日落": "sunset", "雨": "rain", "暴雨": "rain", "雨夜": "night",
                "雪": "snow", "连续": "", "同时": "", "稍后": "", "昏暗": "", "内": "", "外": "", "日/夜": ""}


@dataclass(frozen=True)
class Context:
    presets: Presets
    names: dict[str, str]  # alias (or name) -> character name
    fps: int
    max_seconds: float
    max_frames: int


def language(text: str) -> str:
    cjk = len(CJK.findall(text))
    return "zh" if cjk and cjk >= len(EN_WORD.findall(text)) else "en"


def reading_seconds(text: str, spoken: bool = True) -> float:
    cjk = len(CJK.findall(text))
    words = len(EN_WORD.findall(CJK.sub(" ", text)))
    if spoken:
        return cjk / CJK_PER_S + words / WORDS_PER_S
    return cjk / VISUAL_CJK_PER_S + words / VISUAL_WORDS_PER_S


class TermIndex:
    """One compiled pattern for many terms (CJK as substrings, English as whole words,
    any case); `first(text)` gives the earliest-listed entry with a term in `text`."""

    def __init__(self, entries: list[tuple[object, list[str] | tuple[str, ...]]]) -> None:
        self.entries = [e for e, _ in entries]
        self.owner: dict[str, int] = {}
        for i, (_, terms) in enumerate(entries):
            for term in terms:
                self.owner.setdefault(term.lower(), i)
        terms = sorted(self.owner, key=len, reverse=True)
        cjk = [re.escape(t) for t in terms if CJK.search(t)]
        latin = [re.escape(t) for t in terms if not CJK.search(t)]
        alts = []
        if latin:
            alts.append(r"(?<![A-Za-z])(?:" + "|".join(latin) + r")(?![A-Za-z])")
        if cjk:
            alts.append("|".join(cjk))
        self.pattern = re.compile("|".join(alts)) if alts else None  # terms are lower case; so is the text

    def indices(self, text: str) -> list[int]:
        if self.pattern is None:
            return []
        owner = self.owner
        return [owner[m] for m in self.pattern.findall(text.lower())]

    def first(self, text: str) -> object | None:
        found = self.indices(text)
        return self.entries[min(found)] if found else None

    def all(self, text: str) -> list[object]:
        out: list[object] = []
        for i in self.indices(text):
            if self.entries[i] not in out:
                out.append(self.entries[i])
        return out


@lru_cache(maxsize=16)
def _index(presets: Presets, kind: str) -> TermIndex:
    if kind == "pronouns":
        return TermIndex([(p, (p,)) for p in presets.zh["pronouns"] + presets.en["pronouns"]])
    if kind in ("times", "moods"):
        items = presets.times if kind == "times" else presets.moods
        return TermIndex([(e, e["zh"] + e["en"]) for e in items])
    return TermIndex([(c, c.aliases) for c in presets.camera[kind]])


@lru_cache(maxsize=64)
def _name_index(names: tuple[tuple[str, str], ...]) -> TermIndex:
    return TermIndex([(name, (alias,)) for alias, name in names])


def find_time(text: str, presets: Presets) -> dict | None:
    return _index(presets, "times").first(text)  # type: ignore[return-value]


def heading_parts(heading: str, ctx: Context) -> tuple[str, dict | None]:
    """Setting and time entry from a scene heading (INT. KITCHEN - NIGHT, 场景一：清晨的厨房)."""
    from studio.storyboard.split import SCENE_HEADING

    body = heading
    while (match := SCENE_HEADING.match(body)) and match.end() > 0:
        body = body[match.end():]
    body = body.strip(" ：:.-—")
    size, move = find_camera(body, ctx.presets)
    if size or move or any(w in body.lower() for w in ("产品", "product", "logo", "标志", "结尾", "ending", "开场", "opening")):
        return "", find_time(body, ctx.presets)  # a heading about the camera or the product names no place
    time = None
    parts = re.split(r"\s*[-—–]\s*(?=\S{1,12}$)|\s+[-—–]\s+", body)
    while len(parts) > 1 and parts[-1].strip().lower() in HEADING_TIME:  # 港口 - 晨 - 暴雨, ROOM - NIGHT
        key = HEADING_TIME[parts.pop().strip().lower()]
        time = time or next((t for t in ctx.presets.times if t["id"] == key), None)
    body = " - ".join(parts)
    time = time or find_time(body, ctx.presets)
    if not body:
        return "", time
    if language(body) == "zh":
        setting = body if len(body) <= 16 and not re.search(r"[，,。]", body) else (
            analyse_zh.analyse(body, ctx.presets.zh, set(ctx.names), _time_words(ctx.presets))["setting"] or body)
        for entry in ctx.presets.times:
            for w in entry["zh"]:
                setting = setting.replace(w + "的", "").replace(w, "")
        return setting.strip("，,的 ·・-—–") or body, time
    return body.lower() if body.isupper() else body, time


def find_mood(text: str, presets: Presets) -> dict | None:
    return _index(presets, "moods").first(text)  # type: ignore[return-value]


def find_camera(text: str, presets: Presets) -> tuple[object | None, object | None]:
    return _index(presets, "sizes").first(text), _index(presets, "moves").first(text)


def find_characters(text: str, names: dict[str, str]) -> list[str]:
    return _name_index(tuple(sorted(names.items()))).all(text)  # type: ignore[return-value]


def inline_dialogue(text: str) -> tuple[str, list[dict]]:
    """The visual text without quoted speech, and the speech (speaker None: filled in later
    with the character in the shot). A quote is speech when a say-word or colon stands next
    to it or it is a sentence of its own; a quoted name (品牌“山谷咖啡”, a sign reading
    "OPEN") stays in the picture."""
    speaker_line = SPEAKER_LINE.match(text)
    if speaker_line and not QUOTE.search(speaker_line.group(1)) and len(speaker_line.group(1).split()) <= 3:
        label = speaker_line.group(1).strip()
        if (not any(c in label for c in "的了在是着") and not label.endswith(SAY_WORDS) and not _camera_label(label)
                and not label_kind(label) and label.upper() not in ("LOGO", "OPEN ON", "CUT TO", "END CARD")
                and (len(CJK.findall(label)) <= 5) and (CJK.search(label) or label[:1].isupper())):
            return "", [{"speaker": label, "text": unquote(speaker_line.group(2)), "kind": "dialogue"}]
    lines, spans = [], []
    for m in QUOTE.finditer(text):
        said = next(g for g in m.groups() if g is not None).strip()
        if not (len(CJK.findall(said)) >= 2 or len(said.split()) >= 2):
            continue
        before, after = text[max(0, m.start() - 12): m.start()], text[m.end(): m.end() + 12]
        if NAME_MARK.search(before):
            continue  # a brand, sign or title: part of the picture
        sentence = bool(re.search(r"[。！？!?.,，…~]$", said)) or len(said.split()) >= 4 or len(CJK.findall(said)) >= 8
        if SAY_NEAR.search(before) or SAY_AFTER.match(after) or sentence:
            lines.append({"speaker": None, "text": said, "kind": "dialogue"})  # None: whoever is in the shot
            spans.append((m.start(), m.end()))
    if not lines:
        return text, []
    visual = text
    for start, end in reversed(spans):
        visual = visual[:start] + visual[end:]
    return visual.strip(" ：:，,"), lines


def quoted_names(text: str) -> list[str]:
    """Quoted names in the picture (品牌“山谷咖啡”, a sign reading "OPEN"): products and signs."""
    out = []
    for m in QUOTE.finditer(text):
        said = next(g for g in m.groups() if g is not None).strip()
        if said and NAME_MARK.search(text[max(0, m.start() - 12): m.start()]) and len(said) <= 30:
            out.append(said)
    return out


def frames_for(seconds: float, ctx: Context) -> int:
    """Frames (4k+1) for the whole shot at the model's frame rate: a shot longer than one
    clip is generated as chained clips, so this is not clamped to one clip."""
    k = max(1, round(seconds * ctx.fps / 4))
    return 4 * k + 1


@lru_cache(maxsize=4)
def _time_words(presets: Presets) -> frozenset[str]:
    return frozenset(w for entry in presets.times for w in entry["zh"])


@lru_cache(maxsize=4)
def _en_lexicon(presets: Presets) -> analyse_en.EnglishLexicon:
    return analyse_en.EnglishLexicon(presets.en)


def beat_to_shots(beat: Beat, ctx: Context, state: dict) -> list[Shot]:
    """One beat -> one shot, with the duration the script states (else the reading time)."""
    visual, said = ("", []) if beat.spoken else inline_dialogue(beat.text)
    dialogue = said + [{**d, "kind": d.get("kind") or ("voiceover" if not d.get("speaker") else "dialogue")}
                       for d in beat.dialogue]
    read_s = max(reading_seconds(visual, spoken=False), reading_seconds(" ".join(d["text"] for d in dialogue)))
    seconds = beat.duration if beat.duration is not None else max(MIN_SHOT_S, round(read_s, 1))
    shot = _analyse(beat, beat.text if not beat.spoken else "", dialogue, ctx, state)
    shot.source = beat.source
    shot.duration_s = round(seconds, 2)
    shot.explicit_duration = beat.duration is not None
    shot.stated_duration = beat.duration
    shot.num_frames = frames_for(seconds, ctx)
    shot.sound = list(beat.sound)
    shot.products = quoted_names(beat.text) if not beat.spoken else []
    return [shot]


def _analyse(beat: Beat, text: str, dialogue: list[dict[str, str]], ctx: Context, state: dict) -> Shot:
    visual = text if not beat.spoken else ""
    if not beat.spoken:
        visual, _ = inline_dialogue(text)
    lang = language(text + beat.heading)
    names = set(ctx.names)
    if state.get("scene") != beat.scene:  # a new scene: setting and time start again from its heading
        setting, time = heading_parts(beat.heading, ctx) if beat.heading else ("", None)
        state.update(scene=beat.scene, scene_setting=setting, scene_time=time, characters=[], first=True)
    if beat.premise and not state.get("scene_setting"):  # "…inside a neon-lit bowling alley at night. Shot 1: …"
        if state.get("premise") != beat.premise:
            lead = beat.premise[:300]
            found = (analyse_zh.analyse(lead, ctx.presets.zh, names, _time_words(ctx.presets)) if language(lead) == "zh"
                     else analyse_en.analyse(lead, _en_lexicon(ctx.presets), names))["setting"]
            if any(w in found for w in ctx.presets.zh["people"]) or len(found) > 40 or found.endswith(("身处", "处于")):
                found = ""  # "年轻女性身处" is no place
            state.update(premise=beat.premise, premise_setting=found, premise_time=find_time(lead, ctx.presets))
        state["scene_setting"] = state["premise_setting"]
        state["scene_time"] = state["scene_time"] or state["premise_time"]
    if state.get("block") != beat.block:  # a new paragraph: only the heading's setting and time carry over
        state.update(block=beat.block, setting=state["scene_setting"], time=state["scene_time"], last_setting="")
    speakers = [d["speaker"] for d in dialogue if d.get("speaker")]
    names = names | {s for s in speakers if CJK.search(s)}
    looked = LEAD_CAMERA_ZH.sub("", visual, count=1)
    parts = (analyse_zh.analyse(looked, ctx.presets.zh, names, _time_words(ctx.presets)) if language(looked) == "zh"
             else analyse_en.analyse(looked, _en_lexicon(ctx.presets), names)) if looked.strip() else \
        {"subject": "", "action": "", "setting": "", "moving": False}
    characters = find_characters(visual + " " + " ".join(speakers), ctx.names)
    for name in parts.get("names", []):  # jieba's person tags: 李明骑自行车
        name = ctx.names.get(name, name)
        if name not in characters and not any(name in c or c in name for c in characters):
            characters.append(name)
    for speaker in speakers:  # a speaker is present even without a character card
        name = ctx.names.get(speaker, speaker)
        if name not in characters:
            characters.append(name)
    pronoun = _index(ctx.presets, "pronouns").first(visual)
    plural = pronoun in ("他们", "她们", "they", "They", "them")
    carried = state.get("recent", [])[-2:] if plural else state["characters"][:1]
    if not characters and pronoun is not None and carried and (not plural or len(carried) == 2):
        characters = list(carried)
        text, visual = _name_subject(text, characters), _name_subject(visual, characters)
        if parts["subject"] and _index(ctx.presets, "pronouns").first(parts["subject"]) is not None:
            parts["subject"] = _name_subject(parts["subject"], characters)
    recent = [n for n in state.get("recent", []) if n not in characters] + characters
    state["recent"] = recent[-4:]
    for d in dialogue:  # a quote in the text is said by the character there; a voice-over ("") stays unnamed
        if d.get("speaker") is None:
            d["speaker"] = characters[0] if characters else ""
        elif d["speaker"] in ctx.names:
            d["speaker"] = ctx.names[d["speaker"]]
    time = find_time(visual, ctx.presets) or state["time"]
    setting = beat.row_setting or parts["setting"] or (
        state.get("last_setting", "") if beat.spoken or not visual.strip() else "") or state["scene_setting"]
    if parts["setting"] and state["scene_setting"] and state["scene_setting"].lower() not in setting.lower():
        sep = "，" if language(state["scene_setting"]) == "zh" else ", "
        setting = state["scene_setting"] + sep + setting  # INT. COFFEE SHOP + "by the window"
    named = camera_words.named(visual + " " + beat.text, beat.camera_hint)
    named += [c for c in camera_words.named(beat.heading) if c not in named]  # .SNIPER SCOPE POV, 场景三：产品特写
    size_id, move_id = camera_words.presets_for(named)
    sizes = {c.id: c for c in ctx.presets.camera["sizes"]}
    moves = {c.id: c for c in ctx.presets.camera["moves"]}
    old_size, old_move = find_camera(text + " " + beat.camera_hint, ctx.presets)
    size, move = sizes.get(size_id or "") or old_size, moves.get(move_id or "") or old_move
    explicit = bool(size or move or named)
    if beat.heading and not (size and move):  # a heading such as 场景三：产品特写 sets the camera for its scene
        h_size, h_move = find_camera(beat.heading, ctx.presets)
        size, move = size or h_size, move or h_move
    subject = parts["subject"] or (characters[0] if characters else (speakers[0] if speakers else ""))
    if size is None:
        if beat.spoken or (dialogue and not parts["action"]):
            size = sizes["medium-close-up"]
        elif state["first"] and setting and not characters:
            size = sizes["wide"]
        elif characters or _has_person(subject, ctx, parts["action"]):
            size = sizes["medium"] if not parts["moving"] else sizes["full"]
        elif setting and not subject and not parts["action"]:
            size = sizes["wide"]
        else:
            size = sizes["close-up"]
    if move is None:
        move = moves["follow"] if parts["moving"] else (moves["push-in"] if size.id in ("close-up", "extreme-close-up") else moves["static"])
    mood = find_mood(text, ctx.presets)
    if not has_words(text) and not speakers and not characters:  # a voice over no picture: show the place
        text = setting or _heading_body(beat.heading) or ("空镜" if lang == "zh" else "establishing shot")
        subject = subject or text
    state.update(setting=setting, time=time, first=False, characters=characters or state["characters"],
                 last_setting=setting)
    return Shot(
        index=0, text=text.strip(), scene=beat.scene, heading=beat.heading, language=lang,
        subject=subject, action=parts["action"], setting=setting,
        time_of_day=time["id"] if time else "", lighting=time["lighting"][lang] if time else "",
        mood=mood["id"] if mood else "",
        camera=Camera(size.id, size.en, size.zh, move.id, move.en, move.zh, explicit,
                      speed="slow-motion" if "slow-motion" in named else "",
                      angle=next((c for c in named if c in ("pov", "ots", "aerial")), ""), named=named),
        characters=characters, dialogue=dialogue, source_format=beat.source_format,
    )


PRONOUN_LEAD_ZH = re.compile(r"^(\s*(?:[^，,。]{0,8}[，,]\s*)?)(他们|她们|他|她)")
PRONOUN_LEAD_EN = re.compile(r"^(\s*(?:[A-Za-z ]{0,20},\s*)?)(He|She|They)\b")


def _name_subject(text: str, characters: list[str]) -> str:
    """A shot's leading pronoun named: 她停下脚步 -> 林悦停下脚步, so each prompt names its subject."""
    who = characters[0] if len(characters) == 1 else ("和".join(characters[:2]) if CJK.search(characters[0])
                                                      else " and ".join(characters[:2]))
    if CJK.search(text):
        return PRONOUN_LEAD_ZH.sub(lambda m: m.group(1) + who, text, count=1)
    return PRONOUN_LEAD_EN.sub(lambda m: m.group(1) + who, text, count=1)


def _heading_body(heading: str) -> str:
    from studio.storyboard.labels import SCENE_HEADING

    match = SCENE_HEADING.match(heading or "")
    return (heading[match.end():] if match else heading or "").strip(" ：:.-—")


HUMAN_VERBS = frozenset("""walk run sit stand look smile laugh cry say talk nod wave hug kiss read write eat drink
dance sing open hold pick turn enter leave buy pay sip taste cook wear carry push pull throw catch watch meet speak
answer ask shout whisper stare gaze glance step kneel lean sleep wake type scroll tap unbox try use play jog hike shop
check join greet call order serve pour chop stir bake paint draw build fix clean wash fold pack cheer clap""".split())


def _human_action(action: str) -> bool:
    first = action.split(" ", 1)[0].lower()
    stems = {first, first[:-1], first[:-2], first[:-3], first[:-3] + "e"}  # runs, watches, smiled, smiling
    return not stems.isdisjoint(HUMAN_VERBS)


def _has_person(subject: str, ctx: Context, action: str = "") -> bool:
    if not subject:
        return False
    if CJK.search(subject):
        return any(p in subject for p in ctx.presets.zh["people"] + ctx.presets.zh["pronouns"])
    words = EN_WORD.findall(subject)
    low = {w.lower() for w in words}
    if (len(words) <= 2 and words and all(w[:1].isupper() for w in words)
            and low.isdisjoint(ctx.presets.en["stop_subject"]) and _human_action(action)):
        return True  # "Ben runs", "Mr Lee smiles": a name doing what people do ("Steam rises" is not)
    return not low.isdisjoint(_en_lexicon(ctx.presets).people | _en_lexicon(ctx.presets).pronouns)
