"""Entity resolution across posts: every entity of an extraction gets a global IRI.

IRIs are derived from content, so re-running changes nothing and merging graphs is a
set union:
- organisations, programs, places: type + normalised canonical name (the lexicon's
  official name when the lexicon knows any of its names), so `중기부`, `중소벤처기업부`
  and `Ministry of SMEs and Startups` are one IRI, and `(사)한국소공인협회` is `한국소공인협회`;
  a body is the one that existed on the post's date in its line of succession
  (`Lexicon.as_of`: `산업부` in a post of November 2025 is 산업통상부, `중소벤처기업부` in a
  post of 2016 is 중소기업청);
- a unit whose parent the post names gets the parent in its key, so `근로복지공단 익산지사`
  and `익산지사` (under 근로복지공단) are one IRI;
- people: name + the top organisation they hold a post in. The same name in the same
  organisation is one person; a name with no organisation stays local to its post.
  The basis is recorded (`kg:identityBasis`);
- events: name + date (or post + date when unnamed).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kg.model import Entity, Extraction, Post
from kg.text.names import name_key
from kg.vocab.lexicon import Lexicon, LexiconEntry, load_lexicon
from kg.vocab.ontology import data_iri, entity_type

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,120}$")


def iri_key(name: str) -> str:
    """An IRI path segment for a name: its comparison key; Hangul stays as it is."""
    k = name_key(name)
    # Hangul and other letters are valid IRI characters; only encode what RFC 3987 forbids
    return "".join(c if c.isalnum() or c in "-._~" else f"%{ord(c):02X}" for c in k) or "_"


def post_slug(post: Post) -> str:
    """The post's stable id in IRIs: its own id when that is IRI-safe, else a hash of it."""
    basis = post.url or post.id
    if not post.url and _SAFE_ID.match(post.id):
        return post.id
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def post_iri(post: Post) -> str:
    return data_iri(f"id/post/{post_slug(post)}")


def entity_iri(type_name: str, key: str) -> str:
    return data_iri(f"id/{entity_type(type_name)['path']}/{key}")


@dataclass
class ResolvedPost:
    extraction: Extraction
    iri: str  # the post (and its named graph)
    iris: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, name) → IRI
    identity_basis: dict[str, str] = field(default_factory=dict)  # IRI → why
    entries: dict[tuple[str, str], LexiconEntry] = field(default_factory=dict)  # (type, name) → lexicon entry

    def of(self, type_name: str, name: str) -> str | None:
        return self.iris.get((type_name, name))

    def any_of(self, name: str, types: tuple[str, ...]) -> str | None:
        for t in types:
            iri = self.iris.get((t, name))
            if iri:
                return iri
        return None


class Resolver:
    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

    def entry(self, entity: Entity, day: str | None = None) -> LexiconEntry | None:
        """The lexicon entry for an entity: of the body that existed on `day` (ISO date)."""
        if entity.type in ("Organization", "Place", "Program"):
            for name in (entity.name, *entity.aliases, *entity.english):
                entry = self.lexicon.lookup(name)
                if entry is not None and entry.type == entity.type:
                    return self.lexicon.as_of(entry, day) if entity.type == "Organization" else entry
        return None

    def canonical(self, entity: Entity, day: str | None = None) -> str:
        entry = self.entry(entity, day)
        return entry.name if entry is not None else entity.name

    def resolve(self, extraction: Extraction) -> ResolvedPost:
        post = extraction.post
        out = ResolvedPost(extraction, post_iri(post))
        day = post.published.isoformat() if post.published else None
        parents: dict[str, str] = {}
        for rel in extraction.relations:
            if rel.relation == "subOrganizationOf":
                parents.setdefault(rel.head, rel.tail)

        def root(name: str) -> str:
            seen = {name}
            while name in parents and parents[name] not in seen:
                name = parents[name]
                seen.add(name)
            return name

        org_iri: dict[str, str] = {}
        for ent in extraction.entities:
            if ent.type != "Organization":
                continue
            entry = self.entry(ent, day)
            if entry is not None:
                out.entries[(ent.type, ent.name)] = entry
            canonical = entry.name if entry is not None else ent.name
            parent = parents.get(ent.name)
            if parent and ent.subtype in ("unit", "taskforce", None) and not self.lexicon.lookup(canonical):
                parent_canonical = self._canonical_name(parent, day)
                local = canonical
                if local.startswith(parent_canonical) or local.startswith(parent):
                    local = local[len(parent_canonical if local.startswith(parent_canonical) else parent) :]
                key = f"{iri_key(parent_canonical)}.{iri_key(local)}"
            else:
                key = iri_key(canonical)
            org_iri[ent.name] = entity_iri("Organization", key)

        for ent in extraction.entities:
            if ent.type == "Organization":
                out.iris[(ent.type, ent.name)] = org_iri[ent.name]
            elif ent.type == "Person":
                orgs = [
                    r.tail
                    for r in extraction.relations
                    if r.relation == "holdsPosition" and r.head == ent.name
                ]
                if orgs:
                    anchor = self._canonical_name(root(orgs[0]), day)
                    iri = entity_iri("Person", f"{iri_key(ent.name)}@{iri_key(anchor)}")
                    out.identity_basis[iri] = f"same name ({ent.name}) holding a post in {anchor}"
                else:
                    iri = entity_iri("Person", f"{iri_key(ent.name)}@post-{post_slug(post)}")
                    out.identity_basis[iri] = f"named in post {post.id} only, with no organisation"
                out.iris[(ent.type, ent.name)] = iri
            elif ent.type == "Event":
                stamp = ent.date or (post.published.isoformat() if post.published else "undated")
                out.iris[(ent.type, ent.name)] = entity_iri("Event", f"{stamp}-{iri_key(ent.name)}")
            else:
                entry = self.entry(ent, day)
                if entry is not None:
                    out.entries[(ent.type, ent.name)] = entry
                out.iris[(ent.type, ent.name)] = entity_iri(ent.type, iri_key(self.canonical(ent, day)))
        return out

    def _canonical_name(self, name: str, day: str | None = None) -> str:
        entry = self.lexicon.lookup(name)
        if entry is None:
            return name
        return self.lexicon.as_of(entry, day).name if entry.type == "Organization" else entry.name


def unnamed_event_iri(post: Post, date: str) -> str:
    return entity_iri("Event", f"{date}-post-{post_slug(post)}")
