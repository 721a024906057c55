"""The storyboard card keeps the rule-based prompt beside an edited or rewritten one, and
going back restores it (issue 12: the user can go back)."""

from __future__ import annotations

from tests.ui.test_service import SCRIPT, shotline_home, shots, studio  # noqa: F401 - its service fixtures (no worker)


def test_an_edited_prompt_keeps_the_rule_based_one_and_can_go_back(studio):  # noqa: F811 - the fixture
    pid = studio.projects.create_from_script("ann", SCRIPT, model="tiny")[0]
    entry = shots(studio, pid)[0]
    sid, rule = entry["id"], entry["shot"]["rule_prompt"]
    assert rule and entry["shot"]["prompt"] == rule and entry["shot"]["prompt_source"] == "rules"
    edited = studio.projects.edit_shot("ann", pid, sid, prompt="手写的提示词，一只小猫在窗台上打盹。")
    assert edited["prompt"] != rule and edited["rule_prompt"] == rule  # what the card shows beside the prompt
    assert studio.projects.edit_shot("ann", pid, sid, prompt=edited["rule_prompt"])["prompt"] == rule
