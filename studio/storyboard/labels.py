"""studio.storyboard: the words and marks the splitter reads in scripts: scene and shot
headings, time-coded shot marks (`0-3秒：`, `[00:05-00:08]`, `First 2 seconds:`), line
labels (画面：, 【旁白】, **VO**:, SFX:) by what they mean, and what never reaches a prompt
(front matter, checklists, image links, emoji, emphasis marks)."""

from __future__ import annotations

import re

from studio.storyboard.durations import DASH, NUM, SEC_UNIT, TC

CN_NUM = "一二三四五六七八九十百零〇两\\d"
MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
SCENE_HEADING = re.compile(
    rf"^\s*[【\[]?\s*(?:(?:场景|场次)\s*[{CN_NUM}]*|第[{CN_NUM}]+[幕场集章节部分]"
    r"|(?:scene|act|sequence)\s+(?:\d+|[ivx]+|one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|(?:int|ext|int\./ext|i/e)\.|(?:内景|外景|内外景)(?=[.。．\s:：]))\s*[】\]]?\s*(?:[：:、.。．\-—–]\s*|\s+|$|(?<=[】\]]))",
    re.IGNORECASE)
SHOT_WORD = r"(?:镜头|分镜|画面|shot|frame|beat|cut|panel)"
SHOT_HEADING = re.compile(rf"^\s*[【\[]?\s*{SHOT_WORD}\s*(?:#|no\.?\s*)?[{CN_NUM}]+[a-z]?\s*[】\]]?\s*"
                          rf"(?P<attrs>[（(\[【][^)）\]】\n]{{0,80}}[)）\]】])?\s*"
                          rf"(?:[：:、.\-—–)|]\s*|\s+|$|(?<=[】\])）]))", re.IGNORECASE)
MARK = (rf"(?:[\[【(（]\s*(?:{TC}{DASH}{TC}|{NUM}{DASH}{NUM}\s*{SEC_UNIT}?|{NUM}\s*{SEC_UNIT})\s*[\]】)）]"
        rf"|{TC}{DASH}{TC}|(?:第\s*)?{NUM}{DASH}{NUM}\s*{SEC_UNIT}"
        rf"|(?:the\s+)?(?:first|next|then|final|last|opening|closing)\s+{NUM}\s*{SEC_UNIT}"
        rf"|(?:前|(?:再)?接下来的?|随后|然后|之后|紧接着|最后的?|最终)\s*{NUM}\s*秒钟?)")
MARK_END = r"\s*(?:[（(][^)）\n]{0,40}[)）])?\s*(?:画面|镜头|内容|visual|shot)?\s*(?:[:：|]|——|—|–|-(?=\s))"
TIME_HEAD = re.compile(rf"^\s*(?:⏱️?\s*)?(?:再)?{MARK}(?:{MARK_END}|\s+|$)\s*", re.IGNORECASE)
INLINE_MARK = re.compile(
    rf"(?<=[。.！!？?；;\s”\"」）)：:，,])\s*(?=(?:⏱️?\s*)?(?:再)?{MARK}{MARK_END}"
    rf"|(?:(?<=[。.！!？?；;”\"」])|(?<=[。.！!？?；;”\"」]\s))(?:镜头|分镜|shot|scene)\s*\d{{1,3}}\s*"
    rf"(?:[（(\[【][^)）\]】\n]{{0,40}}[)）\]】])?\s*(?:[:：]|——|—|\s)"
    rf"|(?:风格|画风|整体风格|style|visual style|音乐|music|bgm|音效|sfx|sound|旁白|配音|画外音|字幕|台词|对白|灯光|光线|"
    rf"氛围|色调|结尾文字|片尾文字|文案|vo|voice-?over|narrator|lighting|mood|caption|end card)"
    rf"\s*(?:[（(][^)）\n]{{0,20}}[)）])?\s*[:：])", re.IGNORECASE)
BRACKET_LABEL = re.compile(r"^\s*【([^】]{1,12})】\s*[:：]?\s*(.*)$")
LIST_ITEM = re.compile(r"^\s*(?:[-*•·+]\s+|\d{1,3}[.、)）](?!\d)\s*|[(（]\d{1,3}[)）]\s*|[①-⑳]\s*)")
CHECKLIST = re.compile(r"^\s*(?:[-*+]\s*)?(?:\[[ xX✓]?\]|[☐☑☒✅⬜])\s+")
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.I)
LINK = re.compile(r"\[([^\]]+)\]\((?:https?://|www\.|/)[^)]*\)")
EMPHASIS = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\U000E0020-\U000E007F]")
CODE_FENCE = re.compile(r"^\s*(?:```|~~~)")
BLOCKQUOTE = re.compile(r"^\s{0,3}>\s?")
FRONT_MATTER = re.compile(r"^\ufeff?---\s*\n(.*?)\n(?:---|\.\.\.)\s*(?:\n|$)", re.S)

VISUAL_LABELS = ("画面", "镜头画面", "视觉", "场景描述", "内容", "画面内容", "画面描述", "描述", "visual", "visuals",
                 "video", "picture", "image", "description", "shot description", "what we see", "scene")
ACTION_LABELS = ("动作", "表演", "action", "actions", "performance")  # more of the shot above, not a new one
VOICE_LABELS = ("旁白", "配音", "画外音", "解说", "口播", "vo", "v.o.", "voiceover", "voice-over", "voice over", "narrator",
                "narration", "anncr", "announcer")
SUBTITLE_LABELS = ("字幕", "屏幕文字", "花字", "文案", "标语", "结尾文字", "片尾文字", "end text", "end card", "slogan", "subtitle", "subtitles", "super", "caption",
                   "on-screen text", "onscreen text", "text on screen", "text overlay", "tagline")
DIALOGUE_LABELS = ("台词", "对白", "对话", "口型同步指导", "口型同步", "对口型", "口型", "dialogue", "dialog", "lines",
                   "lip sync", "lip-sync", "lipsync")
AUDIO_LABELS = ("audio", "声音", "音频")
SOUND_LABELS = ("音乐", "音效", "背景音乐", "配乐", "bgm", "music", "sfx", "sound", "sound effects", "fx")
NOTE_LABELS = ("转场", "transition", "备注", "note", "notes", "注意", "人物", "角色", "出场人物", "主要人物", "characters",
               "character", "main character", "cast", "产品", "product", "价格", "price", "标题", "title", "主题",
               "theme", "风格", "画风", "整体风格", "style", "visual style", "目标", "target", "客户", "client", "品牌",
               "brand", "道具", "props", "服装", "wardrobe", "tip", "tips", "format", "格式", "比例", "画幅", "aspect ratio",
               "platform", "平台", "tone", "基调", "调性", "genre", "类型", "logline", "一句话", "梗概", "synopsis", "summary",
               "objective", "goal", "audience", "受众", "卖点", "pillar", "total", "总时长", "length", "runtime", "cta",
               "call to action", "hook", "mood", "lighting", "灯光", "光线", "氛围", "色调", "画质", "节奏", "情绪", "color", "colour", "色调", "resolution", "分辨率",
               "reference", "参考", "negative", "负面", "keywords", "关键词", "hashtags", "话题", "说明", "要求",
               "requirements", "deliverables", "author", "作者", "编剧", "导演", "director", "writer", "draft", "date",
               "日期", "版本", "version", "project", "项目", "片名", "campaign", "agency", "contact", "联系人",
               "production notes", "制作说明", "拍摄说明", "拍摄要求", "checklist", "清单")
DURATION_LABELS = ("时长", "时间", "duration", "time", "length of shot", "秒数", "timing")
SETTING_LABELS = ("地点", "场地", "地址", "环境", "场景", "location", "place", "setting", "int/ext")
CAMERA_LABELS = ("镜头", "机位", "运镜", "景别", "镜头运动", "拍摄手法", "camera", "cam", "angle", "lens", "shot type",
                 "shot size", "camera movement", "framing", "movement")
NOTE_HEADINGS = re.compile(r"^(?:production notes?|notes?|checklist|shot checklist|props?|wardrobe|music|references?|"
                           r"deliverables|requirements|credits|cast|characters?|制作说明|拍摄说明|拍摄清单|备注|注意事项|清单|"
                           r"道具|服装|音乐|参考|人物介绍|人物小传|角色介绍|出场人物|拍摄要求|素材清单|交付)\b", re.I)
LABELLED = re.compile(r"^\s*([^\s：:。.!！?？，,]{1,12}|[A-Za-z][A-Za-z.'()/ \-]{0,28}?)\s*[：:]\s*(.*)$")
BOLD_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)([^*_]{1,30}?)\s*(?:[：:]\s*(?:\*\*|__)|(?:\*\*|__)\s*[：:])\s*(.*)$")
LABEL_NOTE = re.compile(r"\s*[（(][^)）]*[)）]\s*")
CAMERA_WORDS = ("特写", "近景", "中景", "全景", "远景", "航拍", "镜头", "空镜", "俯拍", "仰拍", "跟拍", "close-up", "closeup",
                "wide shot", "aerial", "establishing", "insert", "pov", "cutaway", "montage", "product shot", "tracking",
                "final shot", "opening shot", "shot", "angle", "pan", "dolly", "crane", "drone", "ecu", "mcu", "els",
                "ots", "over the shoulder", "over-the-shoulder", "two shot", "two-shot", "zoom")


def clean_text(text: str) -> str:
    """What a prompt may read of a line: no emphasis marks, image links, emoji or HTML breaks."""
    text = IMAGE_LINK.sub(" ", text)
    text = LINK.sub(r"\1", text)
    text = EMPHASIS.sub(r"\2", text)
    text = EMOJI.sub("", text.replace("<br>", " ").replace("<br/>", " "))
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def camera_label(label: str) -> bool:
    low = label.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in CAMERA_WORDS)


def label_kind(label: str) -> str:
    """visual, action, voice, subtitle, dialogue, audio, sound, note, duration, setting, camera or "" (unknown)."""
    low = LABEL_NOTE.sub("", label).strip().lower() or label.lower()
    if low.startswith(("转场", "transition")):
        return "note"
    for kind, words in (("visual", VISUAL_LABELS), ("action", ACTION_LABELS), ("voice", VOICE_LABELS), ("subtitle", SUBTITLE_LABELS),
                        ("dialogue", DIALOGUE_LABELS), ("audio", AUDIO_LABELS), ("sound", SOUND_LABELS),
                        ("duration", DURATION_LABELS), ("setting", SETTING_LABELS), ("camera", CAMERA_LABELS),
                        ("note", NOTE_LABELS)):
        if low in words:
            return kind
    return ""
