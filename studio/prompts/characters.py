"""studio.prompts: character cards. A name with aliases (李明 / 小明) -> appearance text
and an optional reference image; wherever a character appears, its appearance goes into
the prompt so every shot shows the same person. Cards are read from JSON or YAML."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
KEYS = {"name", "aliases", "appearance", "reference_image"}


@dataclass(frozen=True)
class CharacterCard:
    name: str
    appearance: str
    aliases: tuple[str, ...] = field(default_factory=tuple)
    reference_image: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "appearance": self.appearance,
                "reference_image": self.reference_image}


def parse_cards(data: Any, where: str, base: Path | None = None) -> list[CharacterCard]:
    """Cards from parsed JSON/YAML: {"characters": [...]} or a bare list. Errors name `where` and the key."""
    items = data.get("characters") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list of characters under the key 'characters'.")
    cards: list[CharacterCard] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(items):
        at = f"{where}: characters[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{at} must be an object with 'name' and 'appearance'.")
        unknown = sorted(set(item) - KEYS)
        if unknown:
            raise ValueError(f"{at} has unknown key(s) {unknown}; accepted: {sorted(KEYS)}.")
        name, appearance = item.get("name"), item.get("appearance")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{at}: key 'name' must be a non-empty string, not {name!r}.")
        if not isinstance(appearance, str) or not appearance.strip():
            raise ValueError(f"{at}: key 'appearance' must be a non-empty string, not {appearance!r}.")
        aliases = item.get("aliases", [])
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError(f"{at}: key 'aliases' must be a list of non-empty strings.")
        image = item.get("reference_image")
        if image is not None:
            if not isinstance(image, str) or not image.lower().endswith(IMAGE_SUFFIXES):
                raise ValueError(f"{at}: key 'reference_image' is {image!r}; expected a {'/'.join(IMAGE_SUFFIXES)} file.")
            path = (base / image) if base and not Path(image).is_absolute() else Path(image)
            if not path.is_file():
                raise ValueError(f"{at}: key 'reference_image' names {image!r}, which does not exist.")
            image = str(path.resolve())
        for alias in (name, *aliases):
            alias = alias.strip()
            if alias in seen and seen[alias] != name:
                raise ValueError(f"{at}: the name or alias {alias!r} is already used by {seen[alias]!r}.")
            seen[alias] = name.strip()
        cards.append(CharacterCard(name.strip(), appearance.strip(), tuple(a.strip() for a in aliases), image))
    return cards


def load_cards(path: str | Path) -> list[CharacterCard]:
    """Character cards from a .json, .yaml or .yml file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Characters file {str(path)!r} does not exist.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"Characters file {path.name!r} is not text: save it as UTF-8 JSON or YAML.") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ValueError(f"{path.name}: not valid YAML ({str(err).splitlines()[0]}).") from None
    elif path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path.name}: not valid JSON ({err.msg} at line {err.lineno}).") from None
    else:
        raise ValueError(f"Characters file {path.name!r} must end in .json, .yaml or .yml.")
    return parse_cards(data, path.name, base=path.parent)


def describe(card: CharacterCard, text: str, lang: str) -> str:
    """`text` with the card's appearance right after the character's first mention, or
    the character and appearance put in front where the text does not name them."""
    for alias in sorted((card.name, *card.aliases), key=len, reverse=True):
        at = text.find(alias)
        if at >= 0:
            end = at + len(alias)
            note = f"（{card.appearance}）" if lang == "zh" else f" ({card.appearance})"
            return text[:end] + note + text[end:]
    lead = f"{card.name}，{card.appearance}，" if lang == "zh" else f"{card.name}, {card.appearance}, "
    return lead + text


def cards_by_name(cards: Iterable[CharacterCard]) -> dict[str, CharacterCard]:
    return {c.name: c for c in cards}
