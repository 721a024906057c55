"""studio.projects: a project's generation and voice options, checked before they are
stored in its flow row — the quality tier (draft/final), the project's LoRAs, the voice
(auto/off, the narrator's voice per language, speed) and the optional language-model
planner. The job and voice rooms read these keys (studio.loras.generation_extras,
studio.timeline.voice.voice_project); this module only validates and saves them."""

from __future__ import annotations

import math
from typing import Any

from studio.projects import repository as store

TIERS = ("final", "draft")
VOICE_MODES = ("auto", "off")
SPEED_RANGE = (0.5, 2.0)
SCALE_RANGE = (0.0, 4.0)
MAX_LORAS = 8
KEYS = ("tier", "loras", "voice", "narrator", "voice_speed", "planner")


def tier_summary(model: str) -> dict[str, Any]:
    """What each tier means for `model`: the card's full steps and guidance, and its draft
    LoRA with the draft's steps and guidance (None when the card names no draft)."""
    from engine import get_card
    from engine.tiers import draft_settings

    card = get_card(model)
    draft = draft_settings(card)
    out: dict[str, Any] = {"model": card.id, "final_steps": card.steps,
                           "final_guidance": card.guidance, "draft": None}
    if draft is not None:
        out["draft"] = {"lora": f"{draft.repo_id}/{draft.file}" if draft.repo_id else f"{draft.file} (built locally)",
                        "steps": draft.steps, "guidance": draft.guidance}
    return out


def _number(field: str, value: Any, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"The {field} {str(value)[:32]!r} is not accepted; use a number from {low:g} to {high:g}.")
    return number


def _loras(value: Any, model: str) -> list[dict[str, Any]]:
    from engine.lora_library import get_entry

    if not isinstance(value, list) or len(value) > MAX_LORAS:
        raise ValueError(f"The project's LoRAs must be a list of at most {MAX_LORAS} entries.")
    out = []
    for item in value:
        name = str((item or {}).get("name") or "") if isinstance(item, dict) else ""
        entry = get_entry(name) if name else None
        if entry is None:
            raise ValueError(f"The LoRA {name[:64]!r} is not in the LoRA library; add it on the Models page first.")
        if entry["base_model"] != model:
            raise ValueError(f"The LoRA {name!r} was made for the model {entry['base_model']}, "
                             f"but this project uses {model}.")
        scale = item.get("scale")
        out.append({"name": name, "source": entry["source"],
                    "scale": _number("LoRA scale", entry["scale"] if scale is None else scale, *SCALE_RANGE)})
    return out


def _narrator(value: Any) -> dict[str, str]:
    from engine.voice import find_voice

    if not isinstance(value, dict):
        raise ValueError("The narrator's voices must name one voice per language (zh, en).")
    out = {}
    for lang, name in value.items():
        if name:
            find_voice(str(name), str(lang))  # one sentence naming the voice and what is accepted
            out[str(lang)] = str(name)
    return out


def check_options(model: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The checked subset of `fields` (unknown keys are refused with one sentence)."""
    unknown = sorted(set(fields) - set(KEYS))
    if unknown:
        raise ValueError(f"The project option {unknown[0][:32]!r} is not known; accepted: {', '.join(KEYS)}.")
    out: dict[str, Any] = {}
    if "tier" in fields:
        tier = fields["tier"]
        if tier not in TIERS:
            raise ValueError(f"The quality tier {str(tier)[:32]!r} is not known; choose draft or final.")
        if tier == "draft" and tier_summary(model)["draft"] is None:
            raise ValueError(f"The model {model} has no draft LoRA on its card, so it has only the final tier.")
        out["tier"] = tier
    if "loras" in fields:
        out["loras"] = _loras(fields["loras"], model)
    if "voice" in fields:
        if fields["voice"] not in VOICE_MODES:
            raise ValueError(f"The voice setting {str(fields['voice'])[:32]!r} is not known; choose auto or off.")
        out["voice"] = fields["voice"]
    if "narrator" in fields:
        out["narrator"] = _narrator(fields["narrator"])
    if "voice_speed" in fields:
        out["voice_speed"] = _number("voice speed", fields["voice_speed"], *SPEED_RANGE)
    if "planner" in fields:
        planner = fields["planner"] or ""
        if planner:
            from engine.text import get_text_card

            get_text_card(str(planner))  # an unknown planner is one sentence
        out["planner"] = planner
    return out


def set_options(db: Any, user_id: str, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Check and store `fields` in the user's project; returns the project's options."""
    flow = store.get_flow(db, user_id, project_id, with_shots=False)
    options = {**flow["options"], **check_options(flow["options"]["model"], fields)}
    store.update_flow(db, project_id, options=options)
    return options
