"""Atom feeds (RFC 4287) of the change log: one entry per change set — a post added, changed or
removed by a run, with the facts it added and removed.

Entries carry `type="html"` content; every value from a post (titles, names, sentences) is
escaped into that HTML, and the XML writer escapes the HTML once more, so a feed reader shows
a hostile name as text. Links are absolute: `site` is the URL kg is served at.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from kg.views.terms import term_label

ATOM = "http://www.w3.org/2005/Atom"
Fact = dict[str, Any]


def entity_url(site: str, entity_id: str) -> str:
    return f"{site}/entities/{quote(entity_id, safe='/@')}"


def post_url(site: str, post_id: str) -> str:
    return f"{site}/posts/{quote(post_id, safe='')}"


def _term_html(site: str, term: dict[str, Any] | None) -> str:
    if term is None:
        return "—"
    if "iri" in term:
        name = html.escape(term["name"])
        return (
            f'<a href="{html.escape(entity_url(site, term["id"]))}">{name}</a>' if term.get("type") else name
        )
    return html.escape(str(term.get("value", "")))


def fact_html(site: str, fact: Fact) -> str:
    """One fact as a list item: subject — relation (role) — object, and its sentence."""
    role = f" ({html.escape(fact['role'])})" if fact.get("role") else ""
    relation = html.escape(term_label(fact.get("predicate")))
    if fact.get("organization"):  # a membership: the person, the role, the body
        line = f"{_term_html(site, fact.get('object'))} — {relation}{role} — {_term_html(site, fact['organization'])}"
    else:
        line = f"{_term_html(site, fact.get('subject'))} — {relation}{role} — {_term_html(site, fact.get('object'))}"
    if fact.get("sentence"):
        line += f"<blockquote>{html.escape(fact['sentence'])}</blockquote>"
    return f"<li>{line}</li>"


def change_set_html(site: str, cs: dict[str, Any], keep: Callable[[Fact], bool] | None = None) -> str:
    """The content of an entry. `keep`: which facts to list (an entity's feed lists its own);
    the number of the others is given."""
    post = cs["post"]
    title = html.escape(post.get("title") or post.get("id") or "")
    link = (
        f'<a href="{html.escape(post_url(site, post["id"]))}">{title}</a>'
        if cs["change"] != "removed" and post.get("id")
        else title
    )
    parts = [f"<p>{html.escape(cs['change'])}: {link} (run {html.escape(cs['run'])})</p>"]
    for side, heading in (("added", "추가된 사실 (facts added)"), ("removed", "삭제된 사실 (facts removed)")):
        facts = cs[side]
        shown = [f for f in facts if keep is None or keep(f)]
        if shown:
            parts.append(
                f"<p>{heading}: {len(shown)}</p><ul>{''.join(fact_html(site, f) for f in shown)}</ul>"
            )
        if len(shown) < len(facts):
            parts.append(f"<p>{heading}, other entities: {len(facts) - len(shown)}</p>")
    if cs.get("mentions") and cs["change"] == "added":
        names = ", ".join(_term_html(site, m) for m in cs["mentions"][:50])
        parts.append(f"<p>이 게시물이 처음 언급한 개체 (first named here): {names}</p>")
    return "".join(parts)


def entry_title(cs: dict[str, Any], keep: Callable[[Fact], bool] | None = None) -> str:
    added = sum(1 for f in cs["added"] if keep is None or keep(f))
    removed = sum(1 for f in cs["removed"] if keep is None or keep(f))
    name = cs["post"].get("title") or cs["post"].get("id") or ""
    counts = f" (+{added} −{removed})" if added or removed else ""
    return f"[{cs['change']}] {name}{counts}"


def feed(
    *,
    title: str,
    feed_id: str,
    self_url: str,
    alternate_url: str,
    updated: str | None,
    sets: list[dict[str, Any]],
    site: str,
    keep: Callable[[Fact], bool] | None = None,
) -> bytes:
    """An Atom feed document of change sets (given newest first)."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(root, "id", feed_id)
    sub(root, "title", title)
    sub(root, "updated", updated or "1970-01-01T00:00:00Z")
    sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(root, "link", rel="alternate", type="text/html", href=alternate_url)
    author = sub(root, "author")
    sub(author, "name", "kg")
    sub(root, "generator", "kg")
    for cs in sets:
        entry = sub(root, "entry")
        sub(entry, "id", cs["iri"])
        sub(entry, "title", entry_title(cs, keep))
        sub(entry, "updated", cs["time"])
        if cs["change"] != "removed" and cs["post"].get("id"):
            sub(entry, "link", rel="alternate", type="text/html", href=post_url(site, cs["post"]["id"]))
        sub(entry, "category", term=cs["change"])
        sub(entry, "content", change_set_html(site, cs, keep), type="html")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
