"""How the genre rules read words: titles, organisation names, person names.

`Readings` classifies (is this a title, a body, a name?) using the word lists in
data/patterns/cues.json and the lexicon; `Recorder` adds what a rule found to the doc's
state. The rule passes (kg/extract/components/people.py, bodies.py) build on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from spacy.tokens import Doc

from kg.extract.cues import Cues, endings_in, load_cues
from kg.extract.state import DocState, doc_text, evidence, mention
from kg.extract.words import Word, tag_at
from kg.model import Evidence, Mention, Relation
from kg.text.dates import find_dates
from kg.text.names import LEGAL_FORMS, split_legal_form

VERBAL_END = re.compile(r"(?:다|고|며|서|면|한|된|할|던|해|했|하여|하는|하며|하고|인)$")
PARTICLE_END = re.compile(r"(?:은|는|이|가|을|를|의|에|와|과|로|도|에서)$")
TOOK_OFFICE = re.compile(r"취임|임명|부임|선임|새로 선출|취임식")
NEWSPAPER_ENDINGS = ("일보", "신문")  # `정일보`: a name that ends like a newspaper
WEAK_SUBTYPES = frozenset({"unit", "company"})
LOCAL_GOVERNMENT = re.compile(r"^[가-힣]{1,4}(?:구|군|시)$")  # 수영구, 달성군, 김해시: not 서울, 경기
COMMON_TAGS = ("NNG", "NNB", "NR", "NP", "MM", "MAG", "VV", "VA", "XR")
CACHE_LIMIT = 200_000
V = TypeVar("V")


@dataclass
class TitleRead:
    role: str  # the title as written
    unit: str | None  # the unit fused into the title, if any
    acting: bool = False
    former: bool = False  # `전 과학기술부 과학기술정책실장`: a post no longer held
    heads_body: bool = False  # `금융위원장`: the title names the body it heads, not a unit of another
    written: str = ""  # the title as the text writes it, when the role is shorter (`금융위원장`)


def memo(cache: dict[str, V], key: str, compute: Callable[[str], V]) -> V:
    """A bounded per-component memo: the same words recur across a corpus."""
    if key not in cache:
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[key] = compute(key)
    return cache[key]


class Readings:
    def __init__(self) -> None:
        self.cues: Cues = load_cues()
        self.title_set = frozenset(t.title for t in self.cues.lexicon.titles)
        self._titles_seen: dict[str, TitleRead | None] = {}
        self._subtypes_seen: dict[str, str | None] = {}

    def read_title(self, text: str) -> TitleRead | None:
        """`제2차관` → role; `재난안전관리본부장` → unit 재난안전관리본부 + 본부장 (memoised)."""
        return memo(self._titles_seen, text, self._read_title)

    def _read_title(self, text: str) -> TitleRead | None:
        text = text.strip()
        acting = False
        for mark in self.cues.acting_marks:
            if text.endswith(mark):
                text = text[: -len(mark)].strip()
                acting = True
        if not text:
            return None
        if text in self.title_set:
            return TitleRead(text, None, acting)
        fused = self._fused_head(text)
        if fused is not None:
            return TitleRead(fused[0], fused[1], acting, heads_body=True, written=text)
        for title in endings_in(text, self.title_set, first=1):  # longest first, shorter than text
            prefix = text[: -len(title)].strip()
            if self.cues.number_prefix.match(prefix):
                return TitleRead(text, None, acting)  # `2차관` is `제2차관`, not a unit
            if not re.fullmatch(r"[가-힣A-Za-z0-9·]+", prefix.replace(" ", "")):
                continue
            if title.endswith("장"):
                unit = prefix + title[:-1]
                for suffix in sorted(self.cues.head_of_unit, key=len, reverse=True):
                    if unit.endswith(suffix) and len(unit) > len(suffix) + 1 and self.is_org(unit):
                        return TitleRead(self.cues.head_of_unit[suffix], unit, acting)
            if self.org_subtype(prefix) and len(prefix) >= 2:
                return TitleRead(title, prefix, acting)
            if title == "지사" and prefix in self.cues.provinces:
                # `전남지사`, `경기지사`: the governor of the province written in short
                return TitleRead(title, prefix, acting, heads_body=True, written=text)
            if title in self.cues.ambiguous_titles and not self._office_prefix(title, prefix):
                return None  # 남부시장 is a market, 서울시장 a mayor, 익산지사 a branch
            if len(prefix) < 2:
                continue  # 남 + 부시장: try the shorter title (남부 + 시장)
            return TitleRead(text, None, acting)
        return None

    def _fused_head(self, text: str) -> tuple[str, str] | None:
        """(role, body) of a title fused with the body it heads: `금융위원장` → (위원장, 금융위원회),
        `수출입은행장` → (행장, 수출입은행), `김해시장` → (시장, 김해시)."""
        for head in self.cues.fused_heads:
            if not text.endswith(head.ending) or len(text) < len(head.ending) + 2:
                continue
            stem = text[: -len(head.ending)]
            if head.not_after and stem.endswith(head.not_after):
                continue  # `재난안전관리본부장` heads a unit (본부), not a 부
            body = stem + head.body
            entry = self.cues.lexicon.lookup(body)
            if entry is not None and (
                entry.type == "Organization" or (head.government and entry.type == "Place")
            ):
                return head.role, body
            if (
                entry is None
                and len(body) >= 4
                and self.cues.org_subtype_by_suffix(body)
                and body not in self.cues.org_stopwords
                and stem not in self.cues.org_stopwords
            ):
                return head.role, body
        return None

    def _office_prefix(self, title: str, prefix: str) -> bool:
        """Can `prefix` + `title` be a head of government (서울시장, 경기도지사, 경기지사)?"""
        entry = self.cues.lexicon.lookup(prefix)
        if title == "지사":
            return prefix.endswith("도") or prefix in self.cues.provinces
        return entry is not None

    def org_subtype(self, name: str) -> str | None:
        """Subtype when `name` reads as an organisation name, else None (memoised)."""
        return memo(self._subtypes_seen, name, self._org_subtype)

    def _org_subtype(self, name: str) -> str | None:
        name = name.strip()
        if not name or name in self.cues.org_stopwords:
            return None
        entry = self.cues.lexicon.lookup(name)
        if entry is not None:
            return (entry.subtype or "agency") if entry.type == "Organization" else None
        if len(name.replace(" ", "")) < 3 or not re.search(r"[가-힣A-Za-z]", name):
            return None
        if re.search(r"\d+(?:개|명|곳|년|월|일)", name):
            return None
        if name.endswith(self.cues.not_body_endings):
            return None  # 납부여부, 사과거부: the ending 부 of an act, not of a ministry
        return self.cues.org_subtype_by_suffix(name)

    def is_org(self, name: str) -> bool:
        return self.org_subtype(name) is not None

    def is_person(self, name: str) -> bool:
        return (
            self.cues.is_person_name(name)
            and not self.cues.is_title_modifier(name)
            and not self.read_title(name)
            and not self.is_org(name)
        )

    def is_person_word(self, doc: Doc, word: Word) -> bool:
        """A name-shaped word that MeCab does not read as one common noun (지자체, 소공인);
        the statistical NER's PS reading of exactly this word settles doubtful cases."""
        if not self.is_person(word.core):
            # `김한대`, `정일보`: a name shaped like a university's short name or a newspaper's;
            # the NER's person reading of exactly this word settles it
            return (
                self.cues.surname_led(word.core)
                and (self.cues.is_university_short(word.core) or word.core.endswith(NEWSPAPER_ENDINGS))
                and not self.read_title(word.core)
                and (word.core_start, word.core_end) in ner_person_spans(doc)
                and not inflected(doc, word.core_start, word.core_end)
            )
        if inflected(doc, word.core_start, word.core_end):  # after the cheap checks: it builds a Span
            return False
        if (word.core_start, word.core_end) in ner_person_spans(doc):
            return True
        first = tag_at(doc).get(word.core_start)
        if first is not None:  # the word starts a token: read its tag without a Span
            end, tag = first
            if end < word.core_end:
                return True  # several tokens
            return tag != "NNP-지명" and not tag.startswith(COMMON_TAGS)
        span = doc.char_span(word.core_start, word.core_end, alignment_mode="expand")
        if span is None:
            return True
        tokens = [t for t in span if not t.is_space]
        if len(tokens) == 1 and tokens[0].tag_ == "NNP-지명":
            return False  # `전주 남부시장`: MeCab knows it as a place
        return not (len(tokens) == 1 and tokens[0].tag_.startswith(COMMON_TAGS))

    def doubtful_name(self, doc: Doc, word: Word) -> bool:
        """A name MeCab cut into several tokens (`공급` + `처`, `장병` + `돈`) that the NER does not
        read as a person: before a title that is also a common noun (`후보`) it is no name."""
        first = tag_at(doc).get(word.core_start)
        several = first is None or first[0] < word.core_end
        return several and (word.core_start, word.core_end) not in ner_person_spans(doc)

    def _proper_noun(self, doc: Doc, word: Word) -> bool:
        span = doc.char_span(word.core_start, word.core_end, alignment_mode="expand")
        if span is None or len(word.core) < 2:
            return False
        tags = [t.tag_ for t in span if not t.is_space]
        if len(tags) == 1 and tags[0].startswith(COMMON_TAGS):
            return False
        return any(t.startswith(("NNP", "SL", "UNKNOWN", "NNG")) for t in tags)

    def _is_date_word(self, state: DocState, word: Word) -> bool:
        return bool(re.search(r"\d", word.core)) or any(s <= word.core_start < e for s, e, _ in state.dates)

    def _without_glued_particle(self, w: Word) -> Word:
        """`선가공은` where MeCab kept 은 in the noun (선가 + 공은): the name without it."""
        if self.is_person(w.core) or not PARTICLE_END.search(w.core):
            return w
        bare = PARTICLE_END.sub("", w.core)
        if not self.is_person(bare):
            return w
        return replace(
            w, core=bare, core_end=w.core_start + len(bare), particle=w.core[len(bare) :] + w.particle
        )

    def _korean_name(self, doc: Doc, w: Word) -> str | None:
        """The whole word read as a Korean personal name, whatever MeCab made of it."""
        if w.brackets or w.lead_bracket:
            return None
        if w.particle and self._clean_particle(doc, w):
            return None  # `대학이`, `단장은`: a noun and its particle
        surface = doc_text(doc)[w.core_start : w.end].rstrip(",·")
        if not self.cues.is_person_name(surface) or self.read_title(surface) or self.is_org(surface):
            return None
        if surface == w.core and not self.is_person_word(doc, w):
            return None
        if inflected(doc, w.core_start, w.core_start + len(surface)):
            return None
        return surface

    def _clean_particle(self, doc: Doc, w: Word) -> bool:
        """Did MeCab end the word with particle tokens only (`장관과`, `대학이`, `협약식에는`)?"""
        if not w.particle:
            return True
        span = doc.char_span(w.core_end, w.core_end + len(w.particle), alignment_mode="expand")
        if span is None:
            return False
        tokens = [t for t in span if not t.is_space and t.text not in ",·"]
        return 1 <= len(tokens) <= 3 and all(t.tag_.startswith("J") for t in tokens)

    def _noun_surface(self, doc: Doc, w: Word) -> Word:
        """A word MeCab shredded, read whole as a noun phrase (`㈜하늘결로보틱스`)."""
        if self._clean_particle(doc, w):
            return w
        end = w.brackets[0][0] - 1 if w.brackets else w.end
        surface = doc_text(doc)[w.core_start : end].rstrip(",·")
        if surface.endswith("의") and w.particle.endswith("의") and len(surface) > 2:
            surface = surface[:-1]
        if not re.fullmatch(r"[㈜㈔]?[가-힣A-Za-z0-9&·\-]+", surface) or surface == w.core:
            return w
        return replace(w, core=surface, core_end=w.core_start + len(surface), particle="")

    def _title_at(self, words: list[Word], j: int) -> tuple[TitleRead, int] | None:
        """A title starting at word j, over one or two words (`최고 운영책임자`)."""
        if j >= len(words):
            return None
        if j + 1 < len(words) and not words[j].particle and words[j].core:
            pair = words[j].core + " " + words[j + 1].core
            two = self.read_title(pair) if pair in self.title_set else None
            if two and not two.unit:
                acting = (
                    any(words[j + 2].core.startswith(a) for a in self.cues.acting_marks)
                    if j + 2 < len(words)
                    else False
                )
                return TitleRead(two.role, None, two.acting or acting), 2
        if not words[j].core:
            return None
        one = self.read_title(words[j].core)
        if one is None and PARTICLE_END.search(words[j].core):
            # MeCab sometimes glues the particle on (`동북지방통계청장은` read as …청 + 장은)
            one = self.read_title(PARTICLE_END.sub("", words[j].core))
        if one is None:
            return None
        if j + 1 < len(words) and any(words[j + 1].core.startswith(a) for a in self.cues.acting_marks):
            one = TitleRead(one.role, one.unit, True)
        return one, 1

    def _canonical(self, name: str) -> str:
        entry = self.cues.lexicon.lookup(name)
        return entry.name if entry else name


class Recorder(Readings):
    """Adds mentions and relations to the doc state, each with the id of the rule that read it."""

    def _mention(
        self,
        state: DocState,
        text: str,
        type_: str,
        start: int,
        end: int,
        rule: str,
        subtype: str | None = None,
    ) -> Mention:
        entry = self.cues.lexicon.lookup(text) if type_ == "Organization" else None
        m = mention(
            text,
            type_,
            start,
            end,
            rule,
            subtype or (entry.subtype if entry else None),
            entry.id if entry else None,
        )
        state.add_mention(m)
        state.anchors[(start, end)] = type_
        return m

    def _org(self, doc: Doc, state: DocState, word: Word, rule: str) -> str | None:
        """Register the word's core as an organisation; return its name (legal form split)."""
        core = word.core
        if not core:
            return None
        name, form = split_legal_form(core)
        if word.lead_bracket:
            lead = doc_text(doc)[word.lead_bracket[0] - 1 : word.lead_bracket[1] + 1]
            form = form or LEGAL_FORMS.get(lead)
        if form:
            state.legal_forms[name] = form
        start = word.core_start + core.find(name) if name in core else word.core_start
        parent = self._generic_unit_parent(doc, name, start)
        if parent is not None:
            # `부산대학교 창업지원단(단장 …)`: a unit every university has is named with its parent
            name = doc_text(doc)[parent : start + len(name)]
            start = parent
        self._mention(
            state,
            name,
            "Organization",
            start,
            start + len(name),
            rule,
            self.org_subtype(name) or form_subtype(form),
        )
        return name

    def _generic_unit_parent(self, doc: Doc, name: str, start: int) -> int | None:
        """Where the parent body written right before a generic unit name starts, if any."""
        if name not in self.cues.generic_units:
            return None
        window = max(0, start - 32)
        m = re.search(r"(?:^|[\s(（])(?P<p>[가-힣A-Za-z0-9]{2,30})\s$", doc_text(doc)[window:start])
        if m is None or not self.is_org(m.group("p")) or m.group("p") in self.cues.generic_units:
            return None
        return window + m.start("p")

    def _holds(
        self,
        doc: Doc,
        state: DocState,
        person: str,
        org: str | None,
        title: TitleRead,
        start: int,
        end: int,
        rule: str,
    ) -> None:
        if org is None or title.former:
            return  # a former post (`김두관 전 경남도지사`) is optional in the guideline and often not annotated
        ev = evidence(doc, start, end, rule)
        if title.unit and title.unit in self.cues.generic_units:
            # `배재대 창업교육센터장`: a unit every university has is named with its parent
            title = TitleRead(title.role, f"{org} {title.unit}", title.acting)
            self._mention(
                state, title.unit or "", "Organization", start, end, "genre.fused-title-unit", "unit"
            )
        tail, role = org, title.role
        if (
            title.heads_body
            and title.unit
            and self.cues.lexicon.lookup(title.unit) is None
            and self.is_org(org)
        ):
            # `새누리당 중앙청년위원장`, `학술단체협의회의 배성인 운영위원장`: a committee of the body
            # named with the person, not a body of its own: the post is in the body named
            self._add_post(state, person, org, ev, title.written or title.role, title.acting)
            return
        if title.unit and (title.former or title.heads_body or self.cues.lexicon_place(org)):
            tail = title.unit  # a former post, or a place read as the body: the unit alone
            if not (title.former or title.heads_body) and LOCAL_GOVERNMENT.search(org):
                # `수영구 문화공보팀장`: a district, county or city written with its own unit is
                # the local government the unit sits in
                ev_parent = evidence(doc, start, end, "genre.fused-title-parent")
                state.relations.append(Relation(title.unit, "subOrganizationOf", org, ev_parent))
        elif title.unit:
            # `중기부 재난안전관리본부장`: the unit fused into the title sits in the body named
            tail = title.unit
            state.relations.append(
                Relation(
                    title.unit,
                    "subOrganizationOf",
                    org,
                    evidence(doc, start, end, "genre.fused-title-parent"),
                )
            )
        self._add_post(state, person, tail, ev, role, title.acting)

    def _add_post(
        self, state: DocState, person: str, body: str, ev: Evidence, role: str, acting: bool
    ) -> None:
        """`person` holdsPosition `role` in `body`, with the day they took office when the text says it."""
        state.relations.append(
            Relation(
                person,
                "holdsPosition",
                body,
                ev,
                role=role,
                acting=acting,
                start=self._took_office(state, ev),
            )
        )

    def _took_office(self, state: DocState, ev: Evidence) -> str | None:
        """`지난 1일 취임한 오영주 장관`: the date the text says the post began."""
        if not TOOK_OFFICE.search(ev.sentence):
            return None
        hits = find_dates(ev.sentence, state.published)
        return hits[0][2].isoformat() if hits else None

    def _unit_mention(self, state: DocState, title: TitleRead, word: Word) -> None:
        """The unit fused into a title (`재난안전관리본부장` → 재난안전관리본부); a generic unit
        (`창업교육센터`) is named with its parent where the post is read (`_holds`)."""
        if title.unit and title.unit not in self.cues.generic_units:
            pos = word.core_start + max(word.core.find(title.unit), 0)
            self._mention(
                state,
                title.unit,
                "Organization",
                pos,
                pos + len(title.unit),
                "genre.fused-title-unit",
                self.org_subtype(title.unit) or "unit",
            )

    def _known_org(self, state: DocState, person: str, title: TitleRead) -> str | None:
        held = [r for r in state.relations if r.relation == "holdsPosition" and r.head == person]
        same = [r for r in held if r.role == title.role] or held
        return same[0].tail if same else None

    def _recent_org(self, state: DocState, title: TitleRead, before: int) -> str | None:
        """`권대역 대표는`, with the company named in the previous sentence."""
        if title.role not in self.cues.company_heads:
            return None
        best: Mention | None = None
        for m in state.mentions:
            if m.type != "Organization" or m.start >= before or before - m.start > 300:
                continue
            if m.subtype in ("government", "unit", "taskforce"):
                continue
            if best is None or m.start > best.start:
                best = m
        return self._canonical(best.text) if best else None

    def _topic_org(self, state: DocState, title: TitleRead, before: int) -> str | None:
        """For `이병권 제2차관은` with no body named: the government body the post is about."""
        if not title.role.endswith(self.cues.topic_titles):
            return None
        best: Mention | None = None
        for m in state.mentions:
            if m.type == "Organization" and m.start < before and m.subtype == "government":
                best = m
        if best is None:
            for m in state.mentions:
                if m.type == "Organization" and m.subtype == "government":
                    return self._canonical(m.text)
            return None
        return self._canonical(best.text)


def inflected(doc: Doc, start: int, end: int) -> bool:
    """`구성된`, `부족한`, `시작해`, `함께`, `위해`, `어려운`: a noun made a verb (…하다, …되다), an
    adverb, or one inflected verb, as MeCab reads the word: no name, whatever its shape."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    tags = [t.tag_ for t in span if not t.is_space]
    if any("XSV" in t or "XSA" in t for t in tags):
        return True
    return len(tags) == 1 and (tags[0] == "MAG" or "+E" in tags[0])


def ner_person_spans(doc: Doc) -> set[tuple[int, int]]:
    """Character spans the statistical NER labels PS (empty when the model is absent)."""
    cached: set[tuple[int, int]] | None = doc.user_data.get("kg_ner_ps")
    if cached is None:
        cached = {(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PS"}
        doc.user_data["kg_ner_ps"] = cached
    return cached


def unit_reading(word: Word, following: list[Word]) -> Word:
    """`창업정책과 ☎ 044-…`, `관광산업정책과 김민수 과장`: MeCab reads the unit suffix 과 as
    the particle "and"; when nothing that could be conjoined follows, or the head of the unit
    (a name, then 과장) does, it is part of the name."""
    if word.particle != "과" or len(word.core) < 3:
        return word
    nxt = following[0].core if following else ""
    after = following[1].core if len(following) > 1 else ""
    head_follows = nxt.startswith(("과장", "팀장")) or after.startswith(("과장", "팀장"))
    if nxt and re.match(r"[가-힣A-Za-z]", nxt) and not head_follows:
        return word
    return replace(word, core=word.core + "과", core_end=word.core_end + 1, particle="")


def form_subtype(form: str | None) -> str | None:
    return {
        "사단법인": "association",
        "재단법인": "agency",
        "주식회사": "company",
        "유한회사": "company",
    }.get(form or "")


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)
