"""Saved article pages (HTML) → Post: title, date, category, body, hashtags, attachments.

Parsing is selectolax (the lexbor engine: fast, tolerant of broken markup). The fields
are found with the site profiles of `kg.ingest.sites`; a page of no known family falls
back to generic selectors and, for the body, to trafilatura's main-content extraction.
Page chrome (menus, sharing widgets, footers) is removed before any text is read, and
the body keeps its paragraph breaks so extraction sees sentences, not one long line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kg.ingest.decode import NotText, decode_bytes, read_limited
from kg.ingest.sites import CHROME, GENERIC, PROFILES, SiteProfile
from kg.ingest.text import KOGL_NAMES, find_hashtags, find_kogl, find_publisher
from kg.model import InputError, Post
from kg.text.clean import clean_text
from kg.text.dates import parse_date

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_DATE_LABEL = re.compile(
    r"(?:등록일|작성일|게시일|배포일|보도일|기사입력|입력|일자|날짜)\s*[:：]?\s*"
    r"(?P<d>\d{4}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2})"
)
_ANY_DATE = re.compile(r"\d{4}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}")
_TITLE_SUFFIX = re.compile(r"\s*(?:[|<>｜:-]|::)\s*[^|<>｜]{1,40}$")
_ATTACHMENT_NAME = re.compile(r"[^\s/\\]+\.(?:hwpx?|pdf|docx?|xlsx?|pptx?|zip|jpe?g|png|txt)\b", re.I)
_FILE_NOISE = re.compile(
    r"\s*(?:\[?\(?\d+(?:\.\d+)?\s*[KMG]?B\)?\]?|다운로드|내려받기|미리보기|바로보기)\s*", re.I
)
MIN_BODY = 20  # characters: less than a sentence is not an article
_CELLS = frozenset(("td", "th"))
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "blockquote",
        "pre",
        "hr",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "figure",
        "figcaption",
        "address",
        "main",
    ]
)


class NotArticle(ValueError):
    """The page parsed, but holds no article (truncated, an index page, an error page)."""


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def html_to_post(
    data: bytes, post_id: str, source: str, url: str | None = None, charset: str | None = None
) -> Post:
    """Read one article page. Raises NotText (bytes) or NotArticle (content)."""
    html = decode_bytes(data, charset or declared_charset(data))
    _check_whole(html)
    tree = LexborHTMLParser(html)
    page_url = _page_url(tree) or url
    profile = _profile(tree, page_url)
    searched = (profile, GENERIC) if profile is not GENERIC else (GENERIC,)
    whole_text = _text(tree.body) if tree.body is not None else ""

    title = _first_text(tree, [s for p in searched for s in p.title]) or _meta_title(tree)
    published = _published(tree, searched, whole_text)
    category = _first_text(tree, [s for p in searched for s in p.category])
    publisher = _first_text(tree, list(profile.publisher_sel)) or profile.publisher
    hashtags = _hashtags(tree, searched)
    attachments = _attachments(tree, searched)
    alts = " ".join(n.attributes.get("alt") or "" for n in tree.css("img[alt]"))
    kogl = find_kogl(whole_text) or find_kogl(alts)

    # chrome goes, and so do the tag and file lists already read (they are not body text)
    dropped = [*CHROME, *(s for p in searched for s in (*p.hashtags, *p.attachments))]
    for selector in dropped:
        for node in tree.css(selector):
            node.decompose()
    body = _body(tree, searched)
    if len(body.strip()) < MIN_BODY:
        raise NotArticle("no article text found on the page")
    # the title opens the text, as in a plain-text post: extraction reads it too
    text = f"{title}\n\n{body}" if title and not body.lstrip().startswith(title) else body
    hashtags = tuple(dict.fromkeys((*hashtags, *find_hashtags(body))))
    return Post(
        id=post_id,
        text=text,
        title=title,
        url=page_url,
        published=published,
        publisher=publisher or find_publisher(whole_text),
        licence=KOGL_NAMES[kogl] if kogl else None,
        category=category,
        source=source,
        hashtags=hashtags,
        attachments=attachments,
    )


def read_html_file(path: Path) -> Iterator[Post | InputError]:
    try:
        yield html_to_post(read_limited(path), path.stem, str(path))
    except (NotText, NotArticle) as exc:
        yield InputError(str(path), str(exc))


# -- pieces ------------------------------------------------------------------------------


def _check_whole(html: str) -> None:
    """A page cut off mid-download would be ingested as a shorter article: refuse it."""
    head = html[:4096].lower()
    if "<html" in head and "</html>" not in html[-65536:].lower():
        raise NotArticle("truncated HTML: the page ends before </html>")
    if "<" not in html[:65536]:
        raise NotArticle("not HTML: no markup in the first 64 KB")


def _page_url(tree: LexborHTMLParser) -> str | None:
    for selector, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        value = (node.attributes.get(attr) or "").strip() if node is not None else ""
        if value.startswith(("http://", "https://")):
            return value
    return None


def _profile(tree: LexborHTMLParser, url: str | None) -> SiteProfile:
    host = (urlsplit(url).hostname or "") if url else ""
    for profile in PROFILES:
        if host and any(host == h or host.endswith("." + h) for h in profile.hosts):
            return profile
    for profile in PROFILES:
        if any(tree.css_first(m) is not None for m in profile.markers):
            return profile
    return GENERIC


def _text(node: LexborNode | None) -> str:
    """Text of a subtree with a line break at every block element, spaces collapsed."""
    if node is None:
        return ""
    parts: list[str] = []
    stack: list[tuple[LexborNode, bool]] = [(node, False)]
    while stack:
        current, closing = stack.pop()
        tag = current.tag or ""
        if closing:
            if tag in _BLOCKS:
                parts.append("\n")
            elif tag in _CELLS:
                parts.append(" ")
            continue
        if current.is_text_node:
            parts.append(current.text_content or "")
            continue
        if tag in ("script", "style", "-comment", "template"):
            continue
        if tag in _BLOCKS:
            parts.append("\n")
        stack.append((current, True))
        children = list(current.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    lines = (" ".join(line.split()) for line in clean_text("".join(parts)).split("\n"))
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _first_text(tree: LexborHTMLParser, selectors: list[str]) -> str | None:
    for selector in selectors:
        node = tree.css_first(selector)
        text = " ".join(_text(node).split()) if node is not None else ""
        if text:
            return text[:300]
    return None


def _meta_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('meta[property="og:title"]')
    if node is not None and (node.attributes.get("content") or "").strip():
        return " ".join((node.attributes.get("content") or "").split())
    node = tree.css_first("title")
    if node is not None:
        title = " ".join((node.text() or "").split())
        return _TITLE_SUFFIX.sub("", title) or title or None
    return None


def _published(tree: LexborHTMLParser, searched: tuple[SiteProfile, ...], whole: str) -> date | None:
    for selector in ('meta[property="article:published_time"]', 'meta[name="date"]', "time[datetime]"):
        node = tree.css_first(selector)
        if node is not None:
            value = node.attributes.get("content") or node.attributes.get("datetime") or ""
            found = parse_date(value) if value else None
            if found:
                return found
    for profile in searched:
        for selector in profile.date:
            for node in tree.css(selector):
                text = _text(node)
                m = _DATE_LABEL.search(text) or _ANY_DATE.search(text)
                if m:
                    found = parse_date(m.groupdict().get("d") or m.group(0))
                    if found:
                        return found
    m2 = _DATE_LABEL.search(whole)
    return parse_date(m2.group("d")) if m2 else None


def _hashtags(tree: LexborHTMLParser, searched: tuple[SiteProfile, ...]) -> tuple[str, ...]:
    tags: list[str] = []
    for profile in searched:
        for selector in profile.hashtags:
            for node in tree.css(selector):
                tag = " ".join(_text(node).split()).lstrip("#").strip()
                if tag and len(tag) <= 40:
                    tags.append(tag.replace(" ", "_"))
        if tags:
            break
    return tuple(dict.fromkeys(tags))


def _attachments(tree: LexborHTMLParser, searched: tuple[SiteProfile, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for profile in searched:
        for selector in profile.attachments:
            for node in tree.css(selector):
                name = _attachment_name(node)
                if name:
                    names.append(name)
        if names:
            break
    if not names:  # any link to a document file, wherever it is
        for node in tree.css("a[href]"):
            href = node.attributes.get("href") or ""
            if _ATTACHMENT_NAME.search(unquote(href.split("?")[0])):
                name = _attachment_name(node)
                if name:
                    names.append(name)
    return tuple(dict.fromkeys(names))


def _attachment_name(node: LexborNode) -> str | None:
    text = _FILE_NOISE.sub(" ", " ".join(_text(node).split())).strip()
    m = _ATTACHMENT_NAME.search(text)
    if m:
        return text[: m.end()].strip()[:200]
    href = unquote(node.attributes.get("href") or "")
    m = _ATTACHMENT_NAME.search(href)
    if m:
        return m.group(0)[:200]
    return text[:200] or None


def _body(tree: LexborHTMLParser, searched: tuple[SiteProfile, ...]) -> str:
    for profile in searched:
        for selector in profile.body:
            node = tree.css_first(selector)
            text = _text(node) if node is not None else ""
            if len(text) >= MIN_BODY:
                return text
    import trafilatura

    # the chrome-free tree, so trafilatura cannot fall back on a menu
    extracted = trafilatura.extract(
        tree.html or "", include_comments=False, include_tables=True, favor_recall=True
    )
    return clean_text(extracted or "")
