"""Small helpers for the pictures' SVG, made with ElementTree (escaping and attribute order are its own).

The pictures are drawn on the server: no script, no style attribute (the Content-Security-Policy allows
neither), classes for what the stylesheet colours, and a <title> in each mark for its tooltip.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

__all__ = ["ET", "el", "fmt", "link", "svg_root", "to_text"]

ET.register_namespace("", "http://www.w3.org/2000/svg")


def fmt(x: float) -> str:
    """A coordinate with at most two decimals, the same on every run."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A child element; attribute names with ``_`` are written with ``-`` (``data_date`` is ``data-date``)."""
    node = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): fmt(v) if isinstance(v, float) else str(v)
                                       for k, v in attrs.items() if v is not None})
    if text is not None:
        node.text = text
    return node


def svg_root(width: float, height: float, label: str, ident: str) -> ET.Element:
    return ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "id": ident, "class": "picture",
                              "viewBox": f"0 0 {fmt(width)} {fmt(height)}", "width": fmt(width), "height": fmt(height),
                              "role": "img", "aria-label": label})


def link(parent: ET.Element, href: str, title: str) -> ET.Element:
    """A link around a mark: ``<a href>`` with the mark's ``<title>`` inside, for its tooltip."""
    a = el(parent, "a", href=href)
    el(a, "title", title)
    return a


def to_text(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)
