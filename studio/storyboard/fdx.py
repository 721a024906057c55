"""studio.storyboard: a Final Draft `.fdx` reader. FDX is XML (<FinalDraft><Content> of
<Paragraph Type="Scene Heading|Action|Character|Dialogue|Parenthetical|Transition|Shot|
General">, <DualDialogue>, <TitlePage>); it is parsed with defusedxml (the standard
library's parser, hardened against entity bombs and external entities) into the same
screenplay elements as a Fountain script."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element as XmlElement

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from studio.storyboard.fountain import EXTENSION, Element

NAMED = {"scene heading": "heading", "action": "action", "general": "action", "shot": "shot",
         "transition": "transition", "character": "character", "dialogue": "line", "parenthetical": "paren",
         "new act": "section", "end of act": "section", "cast list": "note", "outline": "section",
         "outline body": "synopsis", "lyrics": "line"}


def _text(paragraph: XmlElement) -> str:
    return "".join("".join(t.itertext()) for t in paragraph.iter("Text")).strip()


def _paragraphs(parent: XmlElement) -> list[tuple[str, str, bool]]:
    """(kind, text, in dual dialogue) in document order."""
    out: list[tuple[str, str, bool]] = []
    for para in parent.findall("Paragraph"):
        dual = para.find("DualDialogue")
        if dual is not None:
            out.extend((k, t, True) for k, t, _ in _paragraphs(dual))
            continue
        kind = NAMED.get((para.get("Type") or "general").strip().lower(), "action")
        text = _text(para)
        if text:
            out.append((kind, text, False))
    return out


def looks_like_fdx(text: str) -> bool:
    head = text.lstrip("\ufeff \n\r\t")[:400]
    return head.startswith("<?xml") and "<FinalDraft" in text[:2000] or head.startswith("<FinalDraft")


def parse(text: str) -> tuple[dict[str, str], list[Element]]:
    """(title page, elements) of an FDX document; ValueError with one sentence if it is not one."""
    try:
        root = ElementTree.fromstring(text.lstrip("\ufeff").encode("utf-8"))
    except (ElementTree.ParseError, DefusedXmlException) as err:
        raise ValueError(f"The Final Draft (.fdx) file is not well-formed XML ({str(err).rstrip('.')}).") from None
    if root.tag != "FinalDraft":
        raise ValueError(f"The XML file's root is <{root.tag}>, not <FinalDraft>; only Final Draft (.fdx) XML is read.")
    meta: dict[str, str] = {}
    title_page = root.find("TitlePage")
    if title_page is not None:
        texts = [_text(p) for p in title_page.iter("Paragraph") if _text(p)]
        if texts:
            meta["title"] = texts[0]
            if len(texts) > 1:
                meta["credit"] = "\n".join(texts[1:])
    content = root.find("Content")
    elements: list[Element] = []
    if content is None:
        return meta, elements
    dialogue: Element | None = None
    dual_open = False
    for kind, text, dual in _paragraphs(content):
        source = text
        if kind == "character":
            name = EXTENSION.sub("", text).strip()
            exts = "".join(EXTENSION.findall(text)).strip()
            dialogue = Element("dialogue", "", source, speaker=name, extension=exts, dual=dual and dual_open)
            dual_open = dual
            elements.append(dialogue)
            continue
        if kind in ("line", "paren") and dialogue is not None:
            dialogue.lines.append((kind, text))
            dialogue.source += "\n" + source
            continue
        dialogue, dual_open = None, False
        if kind == "heading":
            elements.append(Element("heading", re.sub(r"\s+", " ", text), source))
        elif kind == "shot":
            elements.append(Element("shot", text, source))
        elif kind in ("line", "paren"):
            elements.append(Element("action", text, source))
        else:
            elements.append(Element(kind, text, source))
    return meta, elements
