"""studio: the LoRA library as the studio shows it (rows for the Models page). The
library itself (files, index, checks) is the engine's: engine.lora_library."""

from __future__ import annotations

from typing import Any

LORA_COLUMNS = ["LoRA", "model", "scale", "MB", "source"]


def lora_rows() -> list[list[Any]]:
    """One row per LoRA in the library: name, base model, default scale, size, source."""
    from engine.lora_library import list_entries

    return [[e["name"], e["base_model"], e["scale"], round(e.get("size_bytes", 0) / 1e6, 1),
             e.get("original") or e["source"]] for e in list_entries()]


def generation_extras(model: str, options: dict[str, Any], shot: dict[str, Any],
                      style_loras: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The LoRA and tier fields of a shot's job parameters. LoRAs add up from the style
    preset (its entries for `model`), then the project (`options["loras"]`), then the shot
    (`shot["loras"]`); a later layer naming the same source replaces its scale. The tier
    is the shot's, else the project's, else "final"."""
    merged: dict[str, dict[str, Any]] = {}
    for layer in (style_loras or [], options.get("loras") or [], shot.get("loras") or []):
        for entry in layer:
            merged[entry["source"]] = {"source": entry["source"], "scale": entry.get("scale")}
    return {"loras": list(merged.values()), "tier": shot.get("tier") or options.get("tier") or "final"}
