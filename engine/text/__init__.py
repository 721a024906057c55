"""engine.text: the optional local language model (planner and prompt writer) through
transformers. Model cards as data in presets/language-models/; weights through the same
huggingface_hub cache, offline handling and download progress as the Wan weights; a tiny
Qwen2 model built locally with seeded random weights for tests. The engine only turns
chat messages into text: what the messages say and how the answer is checked belong to
studio.prompts. Never imports `studio` or `gradio`."""

from engine.text.cards import TextModelCard, get_text_card, list_text_cards
from engine.text.runner import TextModel, resolve_text_weights, text_weights_status

__all__ = ["TextModel", "TextModelCard", "get_text_card", "list_text_cards", "resolve_text_weights",
           "text_weights_status"]
