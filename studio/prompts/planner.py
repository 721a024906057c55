"""studio.prompts: the optional language-model writer, studio side. Builds the chat
messages (Wan's own prompt-extension instructions, presets/prompts/planner.json), checks
the model's answers against pydantic schemas and the prompt scorer, and applies them:
a rewritten prompt goes on the shot with the rule-based one kept beside it; a storyboard
plan becomes the storyboard. Anything invalid falls back to the rule-based result with a
warning that says so. The model itself runs on a worker (job kind `plan`)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shotline.data import preset_path
from studio.prompts.scorer import score_prompt
from studio.storyboard.model import Camera, Shot, Storyboard

TIMES = Literal["", "dawn", "morning", "noon", "sunset", "dusk", "night", "rain", "snow", "indoor"]
SIZES = Literal["", "extreme-close-up", "close-up", "medium-close-up", "medium", "full", "wide", "aerial"]
MOVES = Literal["", "static", "push-in", "pull-out", "pan", "tilt", "dolly", "follow", "orbit", "crane", "handheld"]
MIN_REWRITE = {"en": 30, "zh": 40}  # a rewrite much shorter than the formula's floor is not a rewrite
MAX_REWRITE = {"en": 200, "zh": 260}


class Rewrite(BaseModel):
    """The answer to a rewrite: one prompt."""

    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=10, max_length=3000)


class PlanLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speaker: str = Field(default="", max_length=60)
    text: str = Field(min_length=1, max_length=2000)


class PlanShot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    subject: str = Field(default="", max_length=300)
    action: str = Field(default="", max_length=600)
    setting: str = Field(default="", max_length=300)
    time_of_day: TIMES = ""
    camera_size: SIZES = ""
    camera_movement: MOVES = ""
    characters: list[str] = Field(default_factory=list, max_length=20)
    dialogue: list[PlanLine] = Field(default_factory=list, max_length=50)
    duration_s: float = Field(default=0.0, ge=0, le=600)


class Plan(BaseModel):
    """The answer to a storyboard request: the script's shots in Shotline's schema."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(default="", max_length=200)
    shots: list[PlanShot] = Field(min_length=1, max_length=500)


@lru_cache(maxsize=1)
def instructions() -> dict[str, Any]:
    return json.loads(preset_path("prompts/planner.json").read_text(encoding="utf-8"))


def shot_fields(shot: Shot) -> dict[str, Any]:
    """What the model is told about a shot: its structured fields, never its spoken words."""
    from studio.storyboard.analyse import inline_dialogue

    visual = inline_dialogue(shot.text)[0].strip()
    if shot.dialogue and visual.rstrip("。.!！?？") == shot.subtitle.strip().rstrip("。.!！?？"):
        visual = ""  # a spoken shot's text is its line
    return {"text": visual, "subject": shot.subject, "action": shot.action, "setting": shot.setting,
            "time_of_day": shot.time_of_day, "lighting": shot.lighting, "mood": shot.mood,
            "camera": {"size": shot.camera.size, "movement": shot.camera.movement},
            "characters": list(shot.characters), "speaks": bool(shot.dialogue), "part": shot.part,
            "parts": shot.parts, "rule_prompt": shot.rule_prompt or shot.prompt}


def rewrite_messages(shot: Shot) -> list[dict[str, str]]:
    from studio.prompts.writer import shot_language

    lang = shot_language(shot)
    return [{"role": "system", "content": instructions()["rewrite"][lang]},
            {"role": "user", "content": json.dumps(shot_fields(shot), ensure_ascii=False)}]


def storyboard_messages(script: str, lang: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": instructions()["storyboard"]["zh" if lang == "zh" else "en"]},
            {"role": "user", "content": script}]


def parse_json(answer: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str]:
    """(the validated answer, "") or (None, why not) for the first JSON object in `answer`."""
    text = re.sub(r"^```(?:json)?|```$", "", answer.strip(), flags=re.M).strip()
    start = text.find("{")
    if start < 0:
        return None, "the answer holds no JSON object"
    try:
        data, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as err:
        return None, f"the answer is not valid JSON ({err.msg})"
    try:
        return schema.model_validate(data), ""
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "the object"
        return None, f"the JSON does not fit the schema ({key}: {first['msg']})"


def check_rewrite(shot: Shot, prompt: str, previous: str | None) -> str:
    """Why a rewritten prompt cannot replace the rule-based one ("" when it can)."""
    score = score_prompt(shot, prompt, previous)
    from studio.prompts.writer import shot_language

    lang = shot_language(shot)
    if score.language != lang:
        return f"it is not in the shot's language ({lang})"
    if score.mixed:
        return "it mixes languages"
    if not MIN_REWRITE[lang] <= score.length <= MAX_REWRITE[lang]:
        unit = "words" if lang == "en" else "characters"
        return f"its length ({score.length} {unit}) is outside {MIN_REWRITE[lang]}-{MAX_REWRITE[lang]}"
    if score.markup:
        return "it carries markup, numbering or timecodes"
    if score.repeat:
        return "it repeats the shot before"
    if score.contradiction:
        return "its light contradicts the shot's time of day"
    if score.over_budget:
        return "it is over the text encoder's 512-token budget"
    for d in shot.dialogue:
        line = d.get("text", "").strip()
        if len(line) >= 6 and line[:24] in prompt:
            return "it puts spoken words into the picture"
    return ""


def apply_rewrites(board: Storyboard, answers: list[str | None], model: str) -> Storyboard:
    """Each valid rewrite becomes the shot's prompt (the rule-based one stays in
    `rule_prompt`); an invalid one leaves the rule-based prompt with a warning."""
    previous: str | None = None
    for shot, answer in zip(board.shots, answers, strict=True):
        if not shot.rule_prompt:
            shot.rule_prompt = shot.prompt
        why = "no answer came back" if answer is None else ""
        parsed = None
        if answer is not None:
            parsed, why = parse_json(answer, Rewrite)
        if parsed is not None:
            candidate = re.sub(r"\s+", " ", parsed.prompt).strip()
            why = check_rewrite(shot, candidate, previous)
            if not why:
                shot.prompt, shot.prompt_source = candidate, f"planner:{model}"
        if why:
            shot.prompt, shot.prompt_source = shot.rule_prompt, "rules"
            shot.warnings.append(f"The language model ({model}) gave no usable prompt for this shot: {why}. "
                                 "The rule-based prompt is kept.")
        previous = shot.prompt
    return board


def board_from_plan(plan: Plan, model: str, lang: str) -> Storyboard:
    """A storyboard (prompts not yet composed) from a validated plan."""
    from engine.models import get_card
    from studio.prompts.presets import default_presets
    from studio.storyboard.analyse import Context, frames_for, language

    presets = default_presets()
    card = get_card(model)
    ctx = Context(presets, {}, card.fps, card.max_seconds, card.max_frames)
    sizes = {c.id: c for c in presets.camera["sizes"]}
    moves = {c.id: c for c in presets.camera["moves"]}
    lighting = {e["id"]: e["lighting"] for e in presets.times}
    shots = []
    for i, p in enumerate(plan.shots, start=1):
        size = sizes[p.camera_size or "medium"]
        move = moves[p.camera_movement or "static"]
        shot_lang = language(p.text) if p.text.strip() else lang
        seconds = min(p.duration_s or 4.0, card.max_seconds)
        shots.append(Shot(
            index=i, text=p.text.strip(), source=p.text.strip(), language=shot_lang, subject=p.subject,
            action=p.action, setting=p.setting, time_of_day=p.time_of_day,
            lighting=lighting[p.time_of_day][shot_lang] if p.time_of_day in lighting else "",
            camera=Camera(size.id, size.en, size.zh, move.id, move.en, move.zh, bool(p.camera_size or p.camera_movement)),
            characters=[c for c in p.characters if c.strip()],
            dialogue=[{"speaker": d.speaker, "text": d.text} for d in p.dialogue],
            duration_s=round(seconds, 2), explicit_duration=bool(p.duration_s), num_frames=frames_for(seconds, ctx)))
    return Storyboard(shots=shots, model=model, title=plan.title)


def needs_planner(board: Storyboard, script: str) -> bool:
    """Whether the rule reader could not structure `script`: a long text that stayed one
    beat (one shot, or one shot's continuation parts), or shots far longer than a clip."""
    long_shot = any(len(s.text) > 400 for s in board.shots)
    one_beat = bool(board.shots) and board.shots[0].parts == len(board.shots)
    return long_shot or (one_beat and len(script.strip()) > 240)
