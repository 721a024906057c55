"""engine: the text-embedding cache. Variants and seeds of one shot share a prompt, so the
UMT5 encoder (5.7B parameters on the real models) need not run again: the embeddings of
(model, prompt, negative prompt, max tokens, guidance on/off) are kept on the device and
passed to the pipeline as `prompt_embeds` / `negative_prompt_embeds`. The pipeline's own
`encode_prompt` computes them, so the clip is identical with and without the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 32  # about 4 MB each at 512 tokens x 4096 bf16 on the real models


class EmbeddingCache:
    """An LRU cache of prompt embeddings for one warm pipeline. `hits` / `misses` count
    lookups; `clear()` when the pipeline is dropped."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._items: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def embeddings(self, pipe, model_key: tuple, prompt: str, negative_prompt: str, guidance: float,
                   max_tokens: int) -> tuple[Any, Any, bool]:
        """(prompt_embeds, negative_prompt_embeds or None, hit). Classifier-free guidance
        (guidance > 1, diffusers' own test) needs the negative embeddings; without it
        they are neither computed nor passed."""
        import torch

        cfg = guidance > 1.0
        key = (model_key, prompt, negative_prompt if cfg else None, max_tokens)
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            positive, negative = self._items[key]
            return positive, negative, True
        self.misses += 1
        with torch.inference_mode():
            positive, negative = pipe.encode_prompt(
                prompt=prompt, negative_prompt=negative_prompt if cfg else None, do_classifier_free_guidance=cfg,
                num_videos_per_prompt=1, max_sequence_length=max_tokens, device=pipe._execution_device,
            )
        self._items[key] = (positive, negative)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)
        return positive, negative, False
