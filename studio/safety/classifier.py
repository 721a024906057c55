"""studio.safety: the open image classifier behind live frame safety. Its card is data
(presets/frame-safety/classifier.json: model id, labels that flag a frame, threshold,
accepted licences); the weights come through the Hugging Face hub cache (or a local
folder) with transformers' image-classification pipeline, and the model card's licence
is checked before anything is loaded. NudeNet stays the optional extra (frames.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from studio.safety.frames import FrameChecker, FrameCheckerUnavailable, FrameFinding

CARD = Path(__file__).resolve().parents[2] / "presets" / "frame-safety" / "classifier.json"


def load_card() -> dict[str, Any]:
    return json.loads(CARD.read_text(encoding="utf-8"))


def model_licence(model: str) -> str | None:
    """The licence a model card declares (README front matter), from a local folder or the hub cache."""
    from huggingface_hub import ModelCard

    local = Path(model)
    try:
        card = ModelCard.load(local / "README.md") if local.is_dir() else ModelCard.load(model)
    except Exception:  # noqa: BLE001 - no card (offline and not cached, or none written): no licence known
        return None
    value = card.data.to_dict().get("license")
    return str(value).lower() if value else None


class ClassifierChecker(FrameChecker):
    """Flags a frame when a `flag_labels` label scores at or above `threshold`."""

    name = "image classifier"

    def __init__(self, model: str | None = None, card: dict[str, Any] | None = None) -> None:
        card = card or load_card()
        self.model = model or card["id"]
        self.flag_labels = {label.lower() for label in card["flag_labels"]}
        self.threshold = float(card["threshold"])
        licence = model_licence(self.model)
        if licence not in set(card["accepted_licences"]):
            raise FrameCheckerUnavailable(
                f"The frame classifier {self.model} declares the licence {licence or 'none'}; accepted: "
                f"{', '.join(card['accepted_licences'])}.")
        try:
            from transformers import pipeline

            self._pipe = pipeline(card.get("task", "image-classification"), model=self.model, device="cpu")
        except OSError:
            raise FrameCheckerUnavailable(f"The frame classifier {self.model} is not downloaded; download it once "
                                          "into the Hugging Face cache.") from None

    def check_frame(self, frame: np.ndarray, index: int) -> list[FrameFinding]:
        from PIL import Image

        found = []
        for item in self._pipe(Image.fromarray(frame), top_k=None):
            if item["label"].lower() in self.flag_labels and float(item["score"]) >= self.threshold:
                found.append(FrameFinding(index, item["label"], float(item["score"])))
        return found
