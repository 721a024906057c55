"""studio.prompts: product cards. A product named in the script, or described on a card
(name, aliases, look, colours, logo text), is written the same way in every shot that
shows it, so the model draws the same bottle, shoe or phone from shot to shot. Cards
are read from JSON or YAML like character cards."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYS = {"name", "aliases", "look", "colours", "logo_text"}
# "the new AeroRun sneaker", "our new Glow X serum": a capitalised name, then an optional common noun
EN_NEW = re.compile(r"\b(?:the|our|a|an)\s+(?:all-)?new\s+((?:[A-Z][\w-]*\s+){0,2}[A-Z][\w-]*(?:\s+[a-z]{3,})?)")
# 全新的 / 新款 / 新品 + a Latin brand name (e.g. 新款 AeroRun 跑鞋)
ZH_NEW = re.compile(r"(?:全新的?|新款|新品)\s*([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?(?:\s*[\u4e00-\u9fff]{1,3})?)")


@dataclass(frozen=True)
class ProductCard:
    name: str
    look: str = ""
    colours: str = ""
    logo_text: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def description(self, lang: str) -> str:
        """What follows the product's first mention in a prompt (empty for a bare name)."""
        bits = []
        if self.look:
            bits.append(self.look)
        if self.colours:
            bits.append(f"{self.colours}配色" if lang == "zh" else f"in {self.colours}")
        if self.logo_text:
            bits.append(f"标志文字“{self.logo_text}”" if lang == "zh" else f"with the logo text \"{self.logo_text}\"")
        return ("，" if lang == "zh" else ", ").join(bits)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "look": self.look, "colours": self.colours,
                "logo_text": self.logo_text}


def parse_products(data: Any, where: str) -> list[ProductCard]:
    """Cards from parsed JSON/YAML: {"products": [...]} or a bare list; errors name the key."""
    items = data.get("products") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list of products under the key 'products'.")
    cards = []
    for i, item in enumerate(items):
        at = f"{where}: products[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{at} must be an object with at least 'name'.")
        unknown = sorted(set(item) - KEYS)
        if unknown:
            raise ValueError(f"{at} has unknown key(s) {unknown}; accepted: {sorted(KEYS)}.")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{at}: key 'name' must be a non-empty string, not {name!r}.")
        for key in ("look", "colours", "logo_text"):
            if not isinstance(item.get(key, ""), str):
                raise ValueError(f"{at}: key '{key}' must be text, not {item[key]!r}.")
        aliases = item.get("aliases", [])
        aliases = [aliases] if isinstance(aliases, str) else aliases
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError(f"{at}: key 'aliases' must be a list of non-empty strings.")
        cards.append(ProductCard(name.strip(), item.get("look", "").strip(), item.get("colours", "").strip(),
                                 item.get("logo_text", "").strip(), tuple(a.strip() for a in aliases)))
    return cards


def load_products(path: str | Path) -> list[ProductCard]:
    """Product cards from a .json, .yaml or .yml file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Products file {str(path)!r} does not exist.")
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ValueError(f"{path.name}: not valid YAML ({str(err).splitlines()[0]}).") from None
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path.name}: not valid JSON ({err.msg} at line {err.lineno}).") from None
    else:
        raise ValueError(f"Products file {path.name!r} must end in .json, .yaml or .yml.")
    return parse_products(data, path.name)


def products_in_script(texts: Iterable[str]) -> list[ProductCard]:
    """Products the script itself introduces ("the new AeroRun sneaker", 新款 AeroRun 跑鞋):
    a bare card whose name is the script's own words, the brand word as an alias."""
    found: dict[str, ProductCard] = {}
    for text in texts:
        for rx in (EN_NEW, ZH_NEW):
            for m in rx.finditer(text):
                name = m.group(1).strip()
                brand = name.split()[0]
                if brand.lower() not in found and len(brand) >= 2:
                    found[brand.lower()] = ProductCard(name, aliases=(brand,) if brand != name else ())
    return list(found.values())


def shot_product_names(shot: Any) -> list[str]:
    """The product names the storyboard reader put on a shot (a `products` field of names
    or {"name": ...} objects), when it has one."""
    items = shot.__dict__.get("products") or []
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def mentioned(card: ProductCard, text: str) -> tuple[int, int] | None:
    """(start, end) of the card's longest name or alias in `text`, case-insensitively."""
    low = text.lower()
    for alias in sorted((card.name, *card.aliases), key=len, reverse=True):
        at = low.find(alias.lower())
        if at >= 0:
            return at, at + len(alias)
    return None


def merge(cards: Sequence[ProductCard], found: Sequence[ProductCard]) -> list[ProductCard]:
    """Cards first; a script product is added only where no card already names it."""
    out = list(cards)
    for item in found:
        if not any(mentioned(c, item.name) for c in out):
            out.append(item)
    return out
