"""studio.storyboard: the camera language scripts use, in Chinese and English, read into
canonical ids: sizes (extreme-wide … extreme-close-up, ELS/WS/MS/MCU/CU/ECU, 远景…大特写),
angles (aerial/航拍, POV/主观, OTS/过肩), moves (push-in/推, pull-out/pulling back/拉, zoom,
pan/摇, tilt, tracking/跟拍/dolly, orbit/环绕, crane/升降, handheld/手持, static) and speed
(slow motion/慢动作/升格). Each id maps onto a preset of presets/camera.json for the prompt."""

from __future__ import annotations

import re

TERMS: dict[str, tuple[str, ...]] = {
    "extreme-wide": (r"extreme[- ]wide(?: shot)?", r"extreme[- ]long shot", r"ELS", r"EWS", r"XWS", r"XLS", "大远景", "超远景",
                     "大全景"),
    "extreme-close-up": (r"extreme[- ]close[- ]?ups?", r"ECU", r"XCU", r"macro(?: shot| lens)?", r"extreme macro",
                         "大特写", "超特写", "微距"),
    "medium-close-up": (r"medium[- ]close(?:[- ]?ups?)?", r"MCU", "中近景", "近景"),
    "close-up": (r"close[- ]?ups?", r"close shot", r"close on", r"CU", r"tight shot", r"insert shot", "特写"),
    "medium": (r"medium(?:[- ]wide)? shot", r"mid[- ]shot", r"MS", r"medium(?= \d{2,3} ?mm)", r"MWS", r"waist shot", "中景", "半身"),
    "full": (r"full[- ](?:body )?shot", r"full[- ]length shot", r"FS", "全景", "全身镜头"),
    "wide": (r"wide(?:[- ]angle)? shots?", r"wide(?= \d{2,3} ?mm)", r"wide(?: [a-z]+){1,2} shots?", r"wide-?screen shot", "广角", r"wide[- ]angle", r"wide view", r"wide on", r"long shot", r"establishing(?: shot)?",
             r"WS", r"LS", "远景"),
    "aerial": (r"aerial(?: shot| view)?", r"drone(?: shot)?", r"bird'?s[- ]eye(?: view)?", r"overhead shot", r"top[- ]down",
               "航拍", "鸟瞰", "俯瞰", "无人机"),
    "pov": (r"POV", r"point[- ]of[- ]view", "主观镜头", "主观视角", "第一人称视角", "第一视角"),
    "ots": (r"OTS", r"over[- ](?:the[- ])?shoulder", "过肩"),
    "static": (r"static(?: shot| camera)?", r"locked(?:[- ]off)?", r"fixed camera", "固定镜头", "固定机位"),
    "push-in": (r"push(?:es|ing)?[- ]in", r"dolly(?:ing)?[- ]in", r"dollies in", r"moves? in on", "推镜头", "推镜", "推近", "推进", "缓推", "快推", "慢推", "急推", "镜头放大", "放大冲击",
                "推至", "推向"),
    "pull-out": (r"pull(?:s|ing)?[- ]?(?:out|back)", r"dolly(?:ing)?[- ](?:out|back)", r"dollies (?:out|back)", "拉镜头", "拉镜", "拉远", "缓拉", "快拉", "后移", "后退",
                 "拉出", "后拉", "镜头拉"),
    "zoom": (r"(?:crash |slow )?zoom(?:s|ing)?(?: in| out)?", "变焦"),
    "pan": (r"(?:whip[- ]|slow )?pan(?:s|ning)?(?= (?:left|right|across|to|up|down|over|around|from|with))", r"panning",
            r"whip[- ]pans?", r"camera pans", "摇镜头", "横摇", "摇镜", "甩镜", "缓摇", "摇摄", "快摇"),
    "tilt": (r"tilt(?:s|ing)? (?:up|down)", r"camera tilts", r"tilting", "俯仰", "上摇", "下摇"),
    "tracking": (r"tracking(?: shot)?", r"track(?:s)? (?:with|alongside|behind|her|him|them)", r"follow shot",
                 r"(?:camera )?follows?(?= (?:her|him|them|the|as))", r"dolly(?: shot)?", r"truck(?:s|ing)? (?:left|right)",
                 r"steadicam", r"gimbal", "跟拍", "跟随", "跟镜头", "移镜头", "移镜", "横移", "平移", "跟踪", "侧移", "前移"),
    "orbit": (r"orbit(?:s|ing)?", r"360[- ]degree", r"arc shot", r"arcs? around", r"circles? around", r"rotates? around",
              r"camera rotates", "环绕", "环拍", "绕拍", "旋转镜头"),
    "crane": (r"crane(?: shot| up| down)?", r"jib(?: shot)?", r"boom(?:s)? (?:up|down)", "升降", "摇臂", "升镜头", "降镜头"),
    "handheld": (r"hand[- ]?held", r"shaky[- ]cam", "手持"),
    "slow-motion": (r"slow[- ]?mo(?:tion)?", r"slow mo", r"high[- ]speed shot", "慢动作", "慢镜头", "升格"),
}
# canonical id -> the preset size or move the prompt describes it with
SIZE_PRESET = {"extreme-wide": "wide", "wide": "wide", "full": "full", "medium": "medium",
               "medium-close-up": "medium-close-up", "close-up": "close-up", "extreme-close-up": "extreme-close-up",
               "aerial": "aerial"}
MOVE_PRESET = {"static": "static", "push-in": "push-in", "pull-out": "pull-out", "zoom": "push-in", "pan": "pan",
               "tilt": "tilt", "tracking": "follow", "orbit": "orbit", "crane": "crane", "handheld": "handheld"}
UPPER_ONLY = re.compile(r"^[A-Z]{2,3}$")
COLUMN_ZH = {"推": "push-in", "拉": "pull-out", "摇": "pan", "移": "tracking", "跟": "tracking", "升": "crane", "降": "crane",
             "甩": "pan", "固定": "static", "环绕": "orbit", "俯": "aerial", "仰": "tilt"}
# a camera column's bare words ("Wide", "Medium", "Close"): too common in prose to read there
COLUMN_WORDS = {"wide": "wide", "medium": "medium", "mid": "medium", "close": "close-up", "tight": "close-up",
                "full": "full", "long": "wide", "establishing": "wide", "overhead": "aerial", "top": "aerial",
                "insert": "close-up", "detail": "close-up", "two shot": "medium", "two-shot": "medium", "single": "medium"}


def _group(kind: str) -> re.Pattern[str]:
    """One pattern for every term of one kind, each id a named group: CJK terms as they are,
    capitals-only abbreviations case-sensitive, other Latin terms on lower-cased text."""
    alts = []
    for i, terms in enumerate(TERMS.values()):
        if kind == "cjk":
            chosen = [re.escape(t) for t in terms if re.search(r"[\u3400-\u9fff]", t)]
        elif kind == "caps":
            chosen = [t for t in terms if UPPER_ONLY.match(t)]
        else:
            chosen = [t for t in terms if not re.search(r"[\u3400-\u9fff]", t) and not UPPER_ONLY.match(t)]
        if chosen:
            alts.append(f"(?P<g{i}>{'|'.join(chosen)})")
    body = "|".join(alts)
    if kind == "cjk":
        return re.compile(body)
    return re.compile(rf"(?<![A-Za-z])(?:{body})(?![A-Za-z])")


_PATTERNS = {kind: _group(kind) for kind in ("latin", "caps", "cjk")}
_IDS = list(TERMS)
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


def named(text: str, column: str = "") -> list[str]:
    """The canonical camera ids named in `text` (and in a camera column's `column` text, where
    bare words such as "Wide" count), in order of first mention, each once."""
    out: list[str] = []
    found: list[tuple[int, str, str]] = []
    for match in re.finditer(r"[a-z]+(?:[- ]shot)?", column.lower()):  # a camera column's bare "Wide"
        if match.group(0) in COLUMN_WORDS:
            found.append((match.start(), COLUMN_WORDS[match.group(0)], match.group(0)))
    for match in re.finditer(r"[^，,、/\s+]+", column):  # a 运镜 cell saying only 推 / 拉 / 摇 / 移 / 跟
        if match.group(0) in COLUMN_ZH:
            found.append((match.start(), COLUMN_ZH[match.group(0)], match.group(0)))
    text = f"{column} {text or ''}"
    for kind, pattern in _PATTERNS.items():
        if kind == "cjk" and not _HAS_CJK.search(text):
            continue
        for match in pattern.finditer(text.lower() if kind == "latin" else text):
            found.append((match.start(), _IDS[int(match.lastgroup[1:])], match.group(0)))  # type: ignore[index]
    for _, cid, word in sorted(found):
        if cid == "zoom" and "out" in word.lower():
            cid = "pull-out"
        if cid not in out:
            out.append(cid)
    if "extreme-close-up" in out and "close-up" in out:
        out.remove("close-up")
    if "medium-close-up" in out and "close-up" in out:
        out.remove("close-up")
    return out


def presets_for(ids: list[str]) -> tuple[str | None, str | None]:
    """(size preset id, move preset id) for the first size and move among `ids`."""
    size = "aerial" if "aerial" in ids else next((SIZE_PRESET[i] for i in ids if i in SIZE_PRESET), None)  # 远景，航拍
    move = next((MOVE_PRESET[i] for i in ids if i in MOVE_PRESET), None)
    return size, move
