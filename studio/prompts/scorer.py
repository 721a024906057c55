"""studio.prompts: the prompt scorer. Measures every prompt of a storyboard against Wan's
formula: length (English words / Chinese characters), the six parts (subject, action,
setting, lighting, camera, style), markup, a repeat of the shot before, mixed languages,
a contradiction with the shot's time of day, and the text encoder's 512-token budget.

Its word lists are its own (not the writer's), so the writer cannot pass by sharing a
mistake; they are heuristics, documented in docs/storyboard.md. Tokens are counted with
the conservative estimate of studio.prompts.tokens (no UMT5 tokenizer runs offline here):
it errs high, so "within budget" is safe, "over" may be a false alarm."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from studio.prompts.presets import Presets, default_presets
from studio.prompts.tokens import estimate_tokens
from studio.storyboard.model import Shot

PARTS = ("subject", "action", "setting", "lighting", "camera", "style")
BUDGET = 512
LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
HAN = re.compile(r"[\u3400-\u9fff]")
MARKUP = re.compile(
    r"\*\*|__|`|^\s*#|\||\[|\]|【|】|<[^>]{1,40}>|https?://|www\."  # Markdown, tables, tags, links
    r"|\b\d{1,2}:\d{2}\b"  # timecodes
    r"|(?:^|[。.!?！？]\s*)(?:镜头|分镜|场景|shot|scene)\s*#?\d+"  # shot / table numbers
    r"|[（(]\s*\d+(?:\.\d+)?\s*(?:s|秒)\s*[)）]"  # durations
    r"|\b[\w-]+\.(?:mp4|mov|png|jpe?g|wav|mp3|pdf|docx?|xlsx?|csv|txt|json|fdx)\b"  # file names
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF]",  # emoji
    re.I | re.M)
WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "style": {
        "en": ("style", "cinematic", "film", "realistic", "photoreal", "anime", "cartoon", "watercolor", "watercolour",
               "illustration", "documentary", "vintage", "footage", "video", "photography", "render", "grain",
               "noir", "painting", "claymation", "cyberpunk", "commercial", "aesthetic", "look"),
        "zh": ("风格", "质感", "电影", "写实", "动漫", "画风", "影像", "胶片", "纪录", "插画", "水墨", "国潮",
               "广告", "摄影", "卡通", "渲染", "色调", "画面"),
    },
    "camera": {
        "en": ("camera", "shot", "close-up", "pan", "tilt", "dolly", "tracking", "push-in", "pull-out", "zoom",
               "handheld", "aerial", "orbit", "angle", "framing"),
        "zh": ("镜头", "机位", "特写", "近景", "中景", "全景", "远景", "航拍", "跟拍", "推进", "拉远", "摇镜",
               "俯拍", "仰拍", "环绕", "视角"),
    },
    "lighting": {
        "en": ("light", "lights", "lighting", "lit", "glow", "glows", "shadow", "shadows", "sunlight", "daylight",
               "moonlight", "lamplight", "neon", "backlit", "illuminated", "sunlit"),
        "zh": ("光", "灯", "阴影", "暗调", "月色"),
    },
    "setting": {
        "en": ("background", "backdrop", "setting", "surroundings", "room", "interior", "landscape", "scene is set",
               "street", "city"),
        "zh": ("背景", "场景", "环境", "空间", "室", "街", "路", "店", "厅", "房", "馆", "园", "场", "院", "楼",
               "城", "村", "镇", "山", "海", "河", "湖", "边", "里"),
    },
    "action_zh": {"zh": tuple("走跑坐站看拿开推拉转笑说喝吃落升亮流飘摇晃飞跳抱握举放倒洒照闪穿驶收揉夹咬伸逛递接"
                              "拍写读唱跳舞划骑游爬挥点抬低望盯摸擦洗切炒煮泡冲溅滴滚停等靠躺扶牵拥翻打呈动变")},
    "action_en": {"en": ("speaks", "stays", "shift", "shifts", "moves", "turns", "falls", "rises", "glows", "sits",
                         "stands", "walks", "runs", "holds", "looks", "smiles", "breathes", "sways", "drift",
                         "drifts", "flows", "spins", "steams", "shines", "flickers", "waves", "opens", "pours")},
}
PRONOUN = {"en": re.compile(r"^(?:[\w ,]{0,30},\s*)?(he|she|they|it|we|i)\b", re.I),
           "zh": re.compile(r"^(?:[^，。]{0,12}，)?(他们|她们|它们|他|她|它|我们|我)(?!的)")}
# a verb by its shape: "-s/-ed/-ing" followed by an article, a possessive or a particle
EN_VERB_SHAPE = re.compile(r"\b[a-z]{3,}(?:s|ed|ing)\s+(?:the|a|an|his|her|their|its|to|into|through|across|on|in|at|"
                           r"from|off|up|down|out|away|over|with|toward|towards|around|back|about)\b")
NIGHT = {"en": ("night", "nighttime", "midnight", "moonlight", "moonlit"), "zh": ("夜", "月光", "午夜")}
DAY = {"en": ("daylight", "sunlight", "sunlit", "sunrise", "morning light", "midday", "noon", "sunny"),
       "zh": ("日光", "阳光", "晨光", "朝阳", "正午", "白天", "午后")}


def _has(text: str, words: Iterable[str], lang: str) -> bool:
    low = text.lower()
    if lang == "zh":
        return any(w in text for w in words)
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low) for w in words)


def length(prompt: str, lang: str) -> int:
    """English words, or Chinese characters plus Latin words (a name inside Chinese)."""
    if lang == "zh":
        return len(HAN.findall(prompt)) + len(LATIN.findall(prompt))
    return len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", prompt))


def _sentences(prompt: str) -> list[str]:
    """Sentences; a piece of one word ("Mr.", "Dr.") joins the next."""
    out: list[str] = []
    carry = ""
    for piece in re.split(r"(?<=[.!?])\s+|[。！？]", prompt):
        piece = (carry + " " + piece).strip() if carry else piece.strip()
        if piece and len(piece.split()) < 2 and re.fullmatch(r"[A-Za-z.]+", piece):
            carry = piece
            continue
        carry = ""
        if piece:
            out.append(piece)
    return out + ([carry] if carry else [])


def _verbs_en(presets: Presets) -> frozenset[str]:
    out = set(WORDS["action_en"]["en"])
    for v in presets.en["verbs"]:
        stem = v[:-1] if v.endswith("e") else v
        out |= {v, v + "s", v + "es", v + "ed", stem + "ed", stem + "ing", v + "ing", v[:-1] + "ies" if v.endswith("y") else v}
    return frozenset(out)


def subject_sentence(prompt: str, lang: str) -> str:
    """The sentence that carries the subject: the first one that is not the style line."""
    parts = _sentences(prompt)
    for s in parts:
        if not _has(s, WORDS["style"][lang], lang) or len(parts) == 1:
            return s
    return parts[0] if parts else ""


def time_of_shot(shot: Shot, presets: Presets) -> str:
    """"night", "day" or "" from the shot's own words and heading, else its time of day."""
    visual = " ".join([shot.text, shot.heading])
    low = visual.lower()
    for d in shot.dialogue:  # speech is not the picture
        low = low.replace(d.get("text", "").lower(), " ")
    words_night = [w for e in presets.times if e["id"] == "night" for w in e["zh"] + e["en"]] + ["夜"]
    words_day = [w for e in presets.times if e["id"] in ("dawn", "morning", "noon") for w in e["zh"] + e["en"]]
    if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low) if w.isascii() else w in low for w in words_night):
        return "night"
    if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low) if w.isascii() else w in low for w in words_day):
        return "day"
    return {"night": "night", "dawn": "day", "morning": "day", "noon": "day"}.get(shot.time_of_day, "")


@dataclass
class PromptScore:
    index: int
    language: str
    length: int
    parts: dict[str, bool]
    markup: bool
    repeat: bool
    mixed: bool
    contradiction: bool
    tokens: int
    over_budget: bool
    bare_pronoun: bool
    notes: list[str] = field(default_factory=list)

    @property
    def all_parts(self) -> bool:
        return all(self.parts.values())


def score_prompt(shot: Shot, prompt: str, previous: str | None, presets: Presets | None = None) -> PromptScore:
    presets = presets or default_presets()
    lang = "zh" if len(HAN.findall(prompt)) > len(LATIN.findall(prompt)) else "en"
    subj = subject_sentence(prompt, lang)
    bare = bool(PRONOUN[lang].search(subj))
    if lang == "zh":
        action = _has(prompt, WORDS["action_zh"]["zh"], "zh")
    else:
        verbs = _verbs_en(presets)
        action = any(w.lower() in verbs for w in LATIN.findall(prompt)) or bool(EN_VERB_SHAPE.search(prompt))
    parts = {
        "subject": bool(subj) and not bare and length(subj, lang) >= (2 if lang == "en" else 2),
        "action": action,
        "setting": _has(prompt, WORDS["setting"][lang] + (tuple(presets.en["places"]) if lang == "en" else ()), lang),
        "lighting": _has(prompt, WORDS["lighting"][lang], lang),
        "camera": _has(prompt, WORDS["camera"][lang], lang),
        "style": _has(prompt, WORDS["style"][lang], lang),
    }
    names = {n.lower() for n in shot.characters} | {d.get("speaker", "").lower() for d in shot.dialogue}
    if lang == "zh":  # Latin words that are not names or brands (a capital inside: iPhone, AeroRun)
        foreign = [w for w in LATIN.findall(prompt) if w.lower() not in names and not re.search(r"[A-Z]", w)]
    else:
        foreign = [c for c in HAN.findall(prompt) if not any(c in n for n in names)]
    when = time_of_shot(shot, presets)
    contradiction = (when == "night" and _has(prompt, DAY[lang], lang)) or \
                    (when == "day" and _has(prompt, NIGHT[lang], lang))
    tokens = estimate_tokens(prompt)
    return PromptScore(shot.index, lang, length(prompt, lang), parts, bool(MARKUP.search(prompt)),
                       previous is not None and prompt.strip() == previous.strip(), bool(foreign), contradiction,
                       tokens, tokens > BUDGET, bare,
                       [f"foreign words: {' '.join(foreign[:5])}"] if foreign else [])


def score_shots(shots: Sequence[Shot], presets: Presets | None = None, field_name: str = "prompt") -> list[PromptScore]:
    """Every prompt of one storyboard, in order (a repeat is of the shot before)."""
    out, previous = [], None
    for shot in shots:
        prompt = getattr(shot, field_name)
        out.append(score_prompt(shot, prompt, previous, presets))
        previous = prompt
    return out


def summary(scores: Sequence[PromptScore]) -> dict[str, Any]:
    """The figures the Done-when of issue 12 names, over many storyboards' scores."""
    n = len(scores)
    en = [s.length for s in scores if s.language == "en"]
    zh = [s.length for s in scores if s.language == "zh"]

    def pct(k: int) -> float:
        return round(100.0 * k / n, 2) if n else 0.0

    return {
        "prompts": n, "english": len(en), "chinese": len(zh),
        "median_en_words": statistics.median(en) if en else None,
        "median_zh_chars": statistics.median(zh) if zh else None,
        "en_in_50_120": round(100.0 * sum(1 for v in en if 50 <= v <= 120) / len(en), 2) if en else None,
        "zh_in_60_150": round(100.0 * sum(1 for v in zh if 60 <= v <= 150) / len(zh), 2) if zh else None,
        "all_six_parts_pct": pct(sum(s.all_parts for s in scores)),
        "missing": {p: sum(1 for s in scores if not s.parts[p]) for p in PARTS},
        "markup_pct": pct(sum(s.markup for s in scores)),
        "repeats": sum(s.repeat for s in scores),
        "mixed_language": sum(s.mixed for s in scores),
        "contradictions": sum(s.contradiction for s in scores),
        "bare_pronoun_subjects": sum(s.bare_pronoun for s in scores),
        "over_512_tokens_estimate": sum(s.over_budget for s in scores),
        "max_tokens_estimate": max((s.tokens for s in scores), default=0),
    }


def as_dict(score: PromptScore) -> dict[str, Any]:
    return asdict(score) | {"all_parts": score.all_parts}
