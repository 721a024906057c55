"""engine.text: the tiny planner is a real Qwen2 model built locally and loaded through
from_pretrained; real models without local weights fail in one sentence, offline."""

from __future__ import annotations

import pytest

from engine import WeightsUnavailable
from engine.text import TextModel, resolve_text_weights, text_weights_status


@pytest.mark.slow  # builds the tiny planner once (~10 s here)
def test_the_tiny_planner_is_built_once_and_answers_through_from_pretrained() -> None:
    from engine.text.tiny import build_tokenizer

    folder = resolve_text_weights("tiny-planner")
    assert (folder / "config.json").is_file() and text_weights_status("tiny-planner") == "local"
    assert '"Qwen2ForCausalLM"' in (folder / "config.json").read_text()
    model = TextModel("tiny-planner")
    messages = [{"role": "system", "content": "Answer with JSON."}, {"role": "user", "content": "一位女子在雨夜行走"}]
    answer, figures = model.chat(messages, "rewrite", seed=3)
    again, _ = model.chat(messages, "rewrite", seed=3)
    assert isinstance(answer, str) and answer == again  # greedy: the same garbage every time
    assert figures["tokens_out"] <= 48 and figures["device"] == "cpu"
    ids = build_tokenizer().apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert ids.endswith("<|im_start|>assistant\n")


def test_real_weights_missing_offline_is_one_sentence() -> None:
    assert text_weights_status("qwen2.5-7b-instruct") == "missing"
    with pytest.raises(WeightsUnavailable, match=r"Qwen/Qwen2.5-7B-Instruct.*not in the local cache.*HF_HUB_OFFLINE"):
        resolve_text_weights("qwen2.5-7b-instruct")


def test_the_models_command_lists_and_fetches_language_models_too(capsys) -> None:
    from studio.cli import main

    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("qwen2.5-7b-instruct") and "language model" in line and "Apache-2.0" in line
               for line in out.splitlines())
    assert main(["models", "download", "qwen3-4b-instruct-2507"]) == 2  # offline in the tests: one sentence
    assert "Qwen/Qwen3-4B-Instruct-2507" in capsys.readouterr().err
