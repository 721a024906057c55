"""A tiny stand-in for the open frame classifier: a ViT image classifier (labels normal /
nsfw) built here with seeded random weights and saved with its image processor and a model
card, so it loads through the same transformers `pipeline(...)` path as the real one.
`flags=True` sets the head's bias so that every frame scores nsfw ~1.0; False, never."""

from __future__ import annotations

from pathlib import Path


def build_standin(folder: Path, *, flags: bool, licence: str = "apache-2.0") -> Path:
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    config = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                       intermediate_size=37, num_labels=2, id2label={0: "normal", 1: "nsfw"},
                       label2id={"normal": 0, "nsfw": 1})
    model = ViTForImageClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 12.0] if flags else [12.0, 0.0]))
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    (folder / "README.md").write_text(f"---\nlicense: {licence}\n---\n# Stand-in frame classifier (tests only)\n",
                                      encoding="utf-8")
    return folder
