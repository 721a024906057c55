"""engine.text: language-model weights and runs. Weights come like the Wan weights: the
tiny planner is built into the models cache; a real model is read from the Hugging Face
cache at its card's revision, or downloaded with byte progress as `LoadingEvent`s, and
HF_HUB_OFFLINE or no network is one sentence naming the repo and the fetch command.
`TextModel.chat` turns chat messages into the model's answer, greedy (deterministic),
and honours a cancel token between tokens."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.cancel import CancelToken
from engine.errors import GenerationCancelled, InvalidRequest, WeightsUnavailable
from engine.text.cards import TASKS, TextModelCard, get_text_card
from engine.types import EngineEvent, LoadingEvent
from engine.weights import (
    _local_snapshot as local_snapshot,
)
from engine.weights import (
    _network_reachable,
    _offline,
    _unavailable,  # the Wan weights' sentence, the same words for a language model
    fetch_command,
    hub_cache_dir,
    make_progress_class,
    models_dir,
)

EventSink = Callable[[EngineEvent], None]


def _local_snapshot(card: TextModelCard) -> Path | None:
    return local_snapshot(card, marker="config.json")  # a transformers checkpoint: config.json, no model_index


def text_weights_status(model_id: str) -> str:
    """"local" when the language model loads without a download, else "missing"."""
    card = get_text_card(model_id)
    if card.is_local_only:
        from engine.text.tiny import tiny_planner_dir

        return "local" if (tiny_planner_dir(models_dir()) / "config.json").is_file() else "missing"
    return "local" if _local_snapshot(card) is not None else "missing"


def resolve_text_weights(model_id: str, on_event: EventSink | None = None) -> Path:
    """A local transformers folder for `model_id`: built (tiny), cached, or downloaded."""
    card = get_text_card(model_id)
    if card.is_local_only:
        from engine.text.tiny import ensure_tiny_planner, tiny_planner_dir

        if not (tiny_planner_dir(models_dir()) / "config.json").is_file() and on_event:
            on_event(LoadingEvent(model=model_id, message="building the tiny planner (once)"))
        return ensure_tiny_planner(models_dir())
    local = _local_snapshot(card)
    if local is not None:
        return local
    if _offline():
        raise _unavailable(card, "HF_HUB_OFFLINE is set")
    if not _network_reachable():
        raise _unavailable(card, "the hub cannot be reached (no network)")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    if on_event:
        on_event(LoadingEvent(model=model_id, message=f"downloading {card.repo_id}@{card.revision}"))
    progress = make_progress_class(model_id, on_event)
    try:
        path = snapshot_download(card.repo_id, revision=card.revision, cache_dir=hub_cache_dir(),
                                 endpoint=os.environ.get("HF_ENDPOINT") or None, tqdm_class=progress)
    except LocalEntryNotFoundError:
        raise _unavailable(card, "the hub cannot be reached") from None
    except HfHubHTTPError as err:
        raise WeightsUnavailable(f"Downloading {card.repo_id} failed ({err.__class__.__name__}); "
                                 f"try `{fetch_command(card.id)}` again.") from None
    progress.finish()
    return Path(path)


class TextModel:
    """One language model, loaded once and kept warm by its owner (a worker)."""

    def __init__(self, model_id: str, device: str | None = None):
        self.card = get_text_card(model_id)
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None

    def load(self, on_event: EventSink | None = None) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        folder = resolve_text_weights(self.card.id, on_event)
        if on_event:
            on_event(LoadingEvent(model=self.card.id, message=f"loading {self.card.name}"))
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = getattr(torch, self.card.dtype) if device != "cpu" else torch.float32
        self._tokenizer = AutoTokenizer.from_pretrained(folder)
        self._model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype).to(device).eval()
        self.device = device

    def chat(self, messages: Sequence[dict[str, str]], task: str, seed: int = 0,
             cancel: CancelToken | None = None, on_event: EventSink | None = None) -> tuple[str, dict[str, Any]]:
        """The model's answer to `messages` (greedy) and its figures (tokens in/out, seconds)."""
        if task not in TASKS:
            raise InvalidRequest("task", task, "one of " + ", ".join(TASKS))
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") \
                    or not isinstance(m.get("content"), str):
                raise InvalidRequest(f"messages[{i}]", m, "an object with a role (system, user, assistant) and text")
        self.load(on_event)
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class _Cancel(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:  # noqa: ARG002
                return bool(cancel and cancel.cancelled)

        text = self._tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
        inputs = self._tokenizer(text, return_tensors="pt").to(self.device)
        n_in = int(inputs["input_ids"].shape[1])
        if n_in >= self.card.context_tokens:
            raise InvalidRequest("messages", f"{n_in} tokens", f"at most {self.card.context_tokens - 1} tokens for {self.card.id}")
        torch.manual_seed(seed)
        start = time.perf_counter()
        with torch.inference_mode():
            out = self._model.generate(**inputs, max_new_tokens=self.card.max_new_tokens[task], do_sample=False,
                                       stopping_criteria=StoppingCriteriaList([_Cancel()]))
        if cancel and cancel.cancelled:
            raise GenerationCancelled(0, 1)
        new = out[0, n_in:]
        answer = self._tokenizer.decode(new, skip_special_tokens=True)
        return answer, {"tokens_in": n_in, "tokens_out": int(new.shape[0]),
                        "seconds": round(time.perf_counter() - start, 3), "device": self.device}
