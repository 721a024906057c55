"""studio.storyboard: English shot analysis by rules and the lexicon in
presets/lexicon/en.json: subject (noun phrase before the verb), action, setting
(a prepositional phrase ending in a place)."""

from __future__ import annotations

import re
from typing import Any

WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+")
PREPOSITIONS = {"in", "at", "on", "along", "through", "across", "into", "inside", "outside", "by", "near", "over",
                "under", "from", "around", "to", "onto", "towards", "toward", "beside", "behind", "down", "up"}
LEADING = re.compile(r"^(?:(?:extreme |medium |wide |full |establishing |aerial |tracking |slow )*(?:close-?up|shot|view|"
                     r"angle)s?\s+(?:of|on)\s+|(?:the\s+)?camera\s+(?:\w+ly\s+)?\w+s?(?:\s+(?:in|out|up|down|back|across|around|over))?"
                     r"(?:\s+(?:on|to|over|across|around|towards?))?\s+"
                     r"|(?:slow(?:ly)?\s+)?(?:push(?:es)?\s+in|pull(?:s)?\s+(?:out|back)|pan(?:s)?\s+across|orbit(?:s)?(?:\s+around)?"
                     r"|dolly\s+in|zoom(?:s)?\s+in)\s+(?:on\s+|to\s+|around\s+|across\s+)?"
                     r"|handheld,?\s+|aerial(?:\s+view)?,?\s+|then,?\s+|suddenly,?\s+|meanwhile,?\s+|we see\s+|cut to:?\s+)", re.I)
# a word after these is a noun, not a verb: "five colours", "the drinks", "our products"
NOT_BEFORE_VERB = {"the", "a", "an", "our", "your", "their", "his", "her", "its", "my", "two", "three", "four", "five",
                   "six", "seven", "eight", "nine", "ten", "many", "some", "all", "new", "fresh", "of", "in", "with"}
MOTION = {"walk", "walks", "walking", "run", "runs", "running", "ride", "rides", "riding", "drive", "drives", "driving",
          "rush", "rushes", "stroll", "strolls", "hike", "hikes", "skate", "skates", "surf", "surfs", "race", "races",
          "dance", "dances", "dancing", "wander", "wanders", "fly", "flies", "swim", "swims", "climb", "climbs"}


class EnglishLexicon:
    """The word sets built once from the lexicon file."""

    def __init__(self, lex: dict[str, list[str]]) -> None:
        self.people = {w.lower() for w in lex["people"]}
        self.pronouns = {w.lower() for w in lex["pronouns"]}
        self.stop = {w.lower() for w in lex["stop_subject"]}
        verbs = {v.lower() for v in lex["verbs"]}
        self.verbs = set(verbs)
        for v in verbs:
            stem = v[:-1] if v.endswith("e") else v
            self.verbs |= {v + "s", v + "es", stem + "ed", stem + "ing", v + "ed", v + "ing", v[:-1] + "ies" if v.endswith("y") else v}
        places = sorted({p.lower() for p in lex["places"]}, key=len, reverse=True)
        self.place_re = re.compile(
            r"\b(?:" + "|".join(sorted(PREPOSITIONS)) + r")\s+(?:(?:the|a|an|his|her|their|our|its)\s+)?"
            r"(?:[a-z'\-]+\s+){0,3}(?:" + "|".join(re.escape(p) for p in places) + r")s?\b", re.I)


def analyse(text: str, lex: EnglishLexicon, names: set[str]) -> dict[str, Any]:
    """subject, action and setting of one English shot text."""
    body = LEADING.sub("", text.strip()).strip()
    words = [(m.group(0), m.start()) for m in WORD.finditer(body)]
    setting_match = lex.place_re.search(body)
    setting = setting_match.group(0) if setting_match else ""
    verb_at = None
    seen_noun = False
    for i, (word, pos) in enumerate(words):
        low = word.lower()
        prev = words[i - 1][0].lower() if i > 0 else ""
        if i > 0 and seen_noun and prev not in NOT_BEFORE_VERB and (low in lex.verbs or (
                low.endswith(("s", "ed")) and low not in lex.people
                                                          and low not in lex.stop and len(low) > 3 and word[0].islower()
                                                          and not low.endswith("ss"))):
            verb_at = pos
            break
        if low not in lex.stop and low not in PREPOSITIONS:
            seen_noun = True
        if i == 0 and low in lex.verbs and low not in lex.people:
            verb_at = 0  # an imperative or a subject-less line: "Pour the coffee."
            break
    if verb_at is None:
        subject = body[: setting_match.start()].strip() if setting_match and setting_match.start() > 0 else body
        action = ""
    else:
        subject = body[:verb_at].strip(" ,")
        action = body[verb_at:].strip()
    if ", " in subject:  # "At dawn, a hiker" / "Far below, a small boat": the subject follows the comma
        subject = subject.rsplit(", ", 1)[1]
    subject = subject.rstrip(".!?;, ")
    action = action.rstrip(".!?;, ")
    moving = any(w.lower() in MOTION for w, _ in words)
    return {"subject": subject, "action": action, "setting": setting, "moving": moving}
