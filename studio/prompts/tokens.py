"""studio.prompts: the text encoder's token budget (512 for Wan's umT5). Counted with
the model's own tokenizer when `engine.load_tokenizer` gives one (weights local),
otherwise with a safe over-estimate: 1 token per CJK character, 1.3 per English word,
1 per other symbol, plus the end token."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from functools import lru_cache

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")
log = logging.getLogger(__name__)


SYMBOL = re.compile(r"[^\sA-Za-z0-9\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


@lru_cache(maxsize=8192)
def estimate_tokens(text: str) -> int:
    """An upper-leaning estimate of umT5 tokens for `text` (errs high, never low in practice)."""
    cjk = len(CJK.findall(text))
    words = LATIN_WORD.findall(text)
    # long words split into several sentencepiece pieces: charge one extra per 6 letters beyond 6
    word_tokens = 1.3 * len(words) + sum(len(w) - 6 for w in words if len(w) > 6) / 6
    symbols = len(SYMBOL.findall(LATIN_WORD.sub(" ", text)))
    return int(math.ceil(cjk + word_tokens + symbols)) + 1


@lru_cache(maxsize=8)
def token_counter(model: str) -> tuple[Callable[[str], int], bool]:
    """(count function, exact?) for `model`: the tokenizer's count where the weights are
    already local, else the estimate. Read once per process and model."""
    import engine

    loader = getattr(engine, "load_tokenizer", None)
    status = getattr(engine, "weights_status", None)
    tokenizer = None
    if status is not None and status(model) != "local":
        loader = None  # never build or download weights just to count tokens
    if loader is not None:
        try:
            tokenizer = loader(model)
        except Exception as err:  # noqa: BLE001 - a missing tokenizer must never stop a storyboard
            log.info("tokenizer for %s unavailable (%s); using the estimate", model, err)
    if tokenizer is None:
        return estimate_tokens, False

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=True)["input_ids"])

    return count, True
