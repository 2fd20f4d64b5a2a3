"""Bodies and their place in the hierarchy, as the genre writes them.

- `기관 단위` (`중소벤처기업부 창업정책과`), `기관 산하/소속 X`
- legal-form markers: (사), (재), ㈜, 주식회사, 사단법인
- names whose ending says they are a body (…진흥원, …협회)
- summary boxes: `참석자 : …`, `장소 : …`, `주최 : …`
"""

from __future__ import annotations

import itertools
import re

from spacy.tokens import Doc

from kg.extract.clauses import subject_groups
from kg.extract.reading import WEAK_SUBTYPES, Recorder, form_subtype, unit_reading
from kg.extract.rules import rulebook
from kg.extract.state import DocState, doc_text, evidence
from kg.extract.words import NOUNISH_PREFIXES, Word, particle_role, tag_at, tags_in
from kg.model import Mention, Relation
from kg.text.names import LEGAL_FORMS, name_key, split_legal_form

LATIN_SHORT_NAME = re.compile(r"[A-Z]{2,5}")  # `SM 엔터테인먼트`, `CJ 제일제당`
NAME_ROLES = (
    "subject",
    "conj",
    "conj-of",
    "list",
    "genitive",
    "none",
    "object",
    "place",
)  # a body's name is used so
FIELD_LINE = re.compile(r"^[\s▪■□○•◦\-*ㅇ·]*(?P<key>[가-힣 ]{2,8}?)\s*[:：]\s*(?P<value>.+)$")


class BodyRules(Recorder):
    def contact_lines(self, doc: Doc, state: DocState) -> None:
        """A press release's contact line: `담당 부서: 창업정책과 책임자: 과장 홍길동(044-…)`,
        `담당자 : 창업정책과 김철수 사무관`. The unit belongs to the issuing body (named before it
        on the line, else the post's publisher, else the first government body or agency the post
        names); each person named holds the title written next to the name in the unit."""
        rule = rulebook()["genre.contact-line"]
        text = doc_text(doc)
        phone = rule.regex("phone")
        unit_shape = rule.regex("unit")
        last: tuple[int, str, str | None] | None = None  # end, unit and parent of the previous contact line
        for line in rule.regex("line").finditer(text):
            unit: str | None = None
            parent: str | None = None
            people: list[tuple[str, str | None, int]] = []
            for field in rule.regex("field").finditer(line.group(0)):
                start = line.start() + field.start("value")
                value = phone.sub(lambda m: " " * len(m.group(0)), field.group("value"))
                tokens = [(m.group(0), start + m.start()) for m in re.finditer(r"[^\s,/|()（）]+", value)]
                pending_role: str | None = None
                for k, (token, pos) in enumerate(tokens):
                    title = self.read_title(token)
                    if title is not None and title.unit is None:
                        if people and people[-1][1] is None:
                            people[-1] = (people[-1][0], title.role, people[-1][2])
                        else:
                            pending_role = title.role
                        continue
                    if self.is_org(token) and k + 1 < len(tokens) and unit_shape.match(tokens[k + 1][0]):
                        parent = self._canonical(token)
                        self._mention(state, token, "Organization", pos, pos + len(token), rule.id)
                        continue
                    if unit is None and unit_shape.match(token) and not self.cues.is_person_name(token):
                        unit = token
                        self._mention(state, token, "Organization", pos, pos + len(token), rule.id, "unit")
                        continue
                    titled_next = k + 1 < len(tokens) and self.read_title(tokens[k + 1][0]) is not None
                    if self.is_person(token) and (pending_role or titled_next):
                        people.append((token, pending_role, pos))
                        pending_role = None
            if unit is None and last is not None and not text[last[0] : line.start()].strip():
                _, unit, parent = last  # `담당자: 사무관 김철수` on the line after `담당 부서: 창업정책과`
            if unit is None:
                continue
            last = (line.end(), unit, parent)
            issuer = parent or self._issuing_body(state, line.start())
            ev = evidence(doc, line.start(), line.end(), rule.id)
            if issuer and issuer != unit:
                state.relations.append(Relation(unit, "subOrganizationOf", issuer, ev))
            for name, role, pos in people:
                if role:
                    self._mention(state, name, "Person", pos, pos + len(name), rule.id)
                    state.relations.append(Relation(name, "holdsPosition", unit, ev, role=role))

    def _issuing_body(self, state: DocState, before: int) -> str | None:
        """Who issued the post: its publisher, else the first government body or agency it names."""
        if state.publisher:
            return self._canonical(re.sub(r"\s*\(.*\)\s*$", "", state.publisher).strip())
        named = sorted(
            (
                m
                for m in state.mentions
                if m.type == "Organization" and m.start < before and m.subtype in ("government", "agency")
            ),
            key=lambda m: m.start,
        )
        return self._canonical(named[0].text) if named else None

    def field_line(
        self, doc: Doc, state: DocState, start: int, end: int, tags: dict[int, tuple[int, str]]
    ) -> None:
        """Summary boxes: `▪ 장소 : 서울 문래기계금속 소공인특화지원센터 / 삼호정밀`."""
        line = doc_text(doc)[start:end]
        m = FIELD_LINE.match(line)
        if not m:
            return
        key = m.group("key").replace(" ", "")
        if key not in (
            "장소",
            "참석자",
            "참석",
            "주최",
            "주관",
            "후원",
            "참가자",
            "참여기관",
            "운영기관",
            "수행기관",
            "전담기관",
            "위치",
        ):
            return
        v_start = start + m.start("value")
        for item in re.finditer(r"[^/,，;]+", m.group("value")):
            raw = item.group(0)
            text = raw.strip()
            text = re.sub(r"\s*(?:등|외\s*\d+\s*[명개곳]?)$", "", text)
            if not text:
                continue
            pos = v_start + item.start() + (len(raw) - len(raw.lstrip()))
            name, form = split_legal_form(text)
            offset = text.find(name)
            title = self.read_title(name.split()[-1]) if name.split() else None
            if title and len(name.split()) >= 2:
                org_name = " ".join(name.split()[:-1])
                plain = len(org_name.split()) == 1 and not re.search(r"[\d·]", org_name)
                if self.is_org(org_name) or (
                    key.startswith("참") and plain and org_name not in self.cues.org_stopwords
                ):
                    self._mention(
                        state,
                        org_name,
                        "Organization",
                        pos + offset,
                        pos + offset + len(org_name),
                        "genre.field-body-of-title",
                        self.org_subtype(org_name) or "company",
                    )
                    if form:
                        state.legal_forms[org_name] = form
                continue
            if title and title.unit:
                self._mention(
                    state,
                    title.unit,
                    "Organization",
                    pos + offset,
                    pos + offset + len(title.unit),
                    "genre.fused-title-unit",
                    self.org_subtype(title.unit),
                )
                if form:
                    state.legal_forms[title.unit] = form
                continue
            if key in ("장소", "위치") and not self.is_org(name):
                continue  # places are read by the event component
            organiser = key in ("주최", "주관", "후원", "참여기관", "운영기관", "수행기관", "전담기관")
            plain = (
                len(name.split()) <= 2 and not re.search(r"\d", name) and name not in self.cues.org_stopwords
            )
            if self.is_org(name) or form or (organiser and plain):
                self._mention(
                    state,
                    name,
                    "Organization",
                    pos + offset,
                    pos + offset + len(name),
                    "genre.field-body",
                    self.org_subtype(name) or "company",
                )
                if form:
                    state.legal_forms[name] = form

    def legal_forms(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """(사)X, ㈜X, X(주), 주식회사 X, 사단법인 X."""
        for k, w in enumerate(words):
            if not w.core:
                continue
            lead = doc_text(doc)[w.lead_bracket[0] - 1 : w.lead_bracket[1] + 1] if w.lead_bracket else ""
            trail = f"({doc_text(doc)[w.brackets[0][0] : w.brackets[0][1]]})" if w.brackets else ""
            if lead in LEGAL_FORMS or trail in LEGAL_FORMS or w.core.startswith(("㈜", "㈔")):
                w = self._noun_surface(doc, w)  # `㈜하늘결로보틱스`: MeCab reads 로 as a particle
                title = self.read_title(split_legal_form(w.core)[0])
                if title and title.unit:
                    # (사)전국도시형소공인연합회장: the body is the unit of the fused title
                    form = LEGAL_FORMS.get(lead) or LEGAL_FORMS.get(trail)
                    if form:
                        state.legal_forms[title.unit] = form
                    self._unit_mention(state, title, w)
                    continue
                if trail in LEGAL_FORMS:
                    state.legal_forms[w.core] = LEGAL_FORMS[trail]
                self._org(doc, state, w, "genre.legal-form")
            elif w.core in ("주식회사", "사단법인", "재단법인") and k + 1 < len(words) and words[k + 1].core:
                nxt = words[k + 1]
                state.legal_forms[nxt.core] = w.core
                self._mention(
                    state,
                    nxt.core,
                    "Organization",
                    nxt.core_start,
                    nxt.core_end,
                    "genre.legal-form",
                    self.org_subtype(nxt.core) or form_subtype(w.core),
                )

    def court_divisions(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`서울고법 형사 9부(재판장 김주현)`: a numbered division of the court before it, headed
        by the presiding judge the bracket names."""
        rule_id = "genre.court-division"
        rule = rulebook()[rule_id]
        court, division = rule.regex("court"), rule.regex("division")
        text = doc_text(doc)
        for w in words:
            if not w.core or w.particle or not court.search(w.core) or not self.is_org(w.core):
                continue
            hit = division.match(text, w.core_end)
            if hit is None:
                continue
            parent = self._org(doc, state, w, rule_id)
            u_start, u_end = hit.span("unit")
            unit = text[u_start:u_end]
            self._mention(state, unit, "Organization", u_start, u_end, rule_id, "unit")
            if hit.group("name"):  # the bracket is read here, not as an apposition of `9부`
                state.anchors[(u_start, u_end)] = state.anchors[(hit.start("number"), u_end)] = "division"
            if parent:
                ev = evidence(doc, w.core_start, u_end, rule_id)
                state.relations.append(Relation(unit, "subOrganizationOf", parent, ev))
            if hit.group("name") and self.is_person(hit.group("name")):
                n_start, n_end = hit.span("name")
                self._mention(state, hit.group("name"), "Person", n_start, n_end, rule_id)
                ev = evidence(doc, w.core_start, hit.end(), rule_id)
                state.relations.append(
                    Relation(hit.group("name"), "holdsPosition", unit, ev, role=hit.group("title"))
                )

    def regions_as_places(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`서울특별시 삼청동에 위치한`, `경기도 고양체육관에서`, `세종시 소재 X`, `인천광역시 송도`:
        a province or city followed by a smaller place or a venue is a location there, not a
        body; so is one `에 소재한`, `에 위치한`."""
        rule = rulebook()["genre.region-as-place"]
        region, place_after, located = rule.regex("region"), rule.regex("place_after"), rule.regex("located")
        tags = tag_at(doc)
        for k in range(len(words) - 1):
            w, nxt = words[k], words[k + 1]
            if not w.core or w.brackets or not region.search(w.core):
                continue
            if w.particle and not (w.particle == "에" and nxt.core and located.match(nxt.core)):
                continue
            entry = self.cues.lexicon.lookup(w.core)
            if entry is None or entry.type != "Organization" or entry.subtype != "government":
                continue
            after = self.cues.lexicon.lookup(nxt.core) if nxt.core else None
            nxt_end, nxt_tag = tags.get(nxt.core_start, (0, ""))
            place_word = (
                nxt_tag.startswith("NNP-지명") and nxt_end == nxt.core_end
            )  # one dictionary place word
            area = k + 2 < len(words) and not nxt.particle and place_after.match(words[k + 2].core or "")
            if not (
                w.particle
                or place_after.match(nxt.core)
                or place_word
                or area  # `경상북도 성주 지역`
                or (after is not None and after.type == "Place")
            ):
                continue
            span = (w.core_start, w.core_end)
            state.mentions = [
                m for m in state.mentions if not (m.type == "Organization" and (m.start, m.end) == span)
            ]
            state.anchors[span] = "Place"

    def units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`중소벤처기업부 창업정책과`, `근로복지공단 익산지사`."""
        education = rulebook()["genre.body-unit"].regex("schooling")
        venue = rulebook()["genre.body-unit"].regex("venue")
        for k in range(len(words) - 1):
            a, b = words[k], unit_reading(words[k + 1], words[k + 2 : k + 4])
            if not a.core or not b.core or particle_role(a.particle) not in ("none",):
                continue
            if state.anchors.get((a.core_start, a.core_end)) == "Place":
                continue  # `경기도 고양체육관`: a location, not a body and its unit
            if self.read_title(b.core) or not self.is_org(a.core):
                continue
            if b.core in self.cues.org_stopwords or (b.core[-1] in "과와" and self.read_title(b.core[:-1])):
                continue  # `WTO 사무총장과 같은 자리`: a title and 과, not a unit
            if not b.core.endswith(self.cues.unit_suffixes) and not self._agency_division(a.core, b.core):
                continue
            if len(b.core) < 3 or self.cues.lexicon.lookup(b.core):
                continue
            if any(c in a.core + b.core for c in "·ㆍ・") and not self.cues.lexicon.lookup(a.core):
                # `산부인과 수진내역·일시·의료급여기관`, `대전·충청 창업교육센터`: a list, not a
                # body and its unit (but `법무부 출입국·외국인정책본부`)
                continue
            if education.match(doc_text(doc), b.end):
                continue  # `가나대 화학공학과를 졸업`, `다라대 경영학과 석사`: a person's schooling
            if not b.particle and venue.match(doc_text(doc), b.end):
                continue  # `연세대학교 중앙도서관 앞 게시판`: a building, where something is
            parent = self._org(doc, state, a, "genre.body-unit")
            unit: str | None
            if b.core in self.cues.generic_units:
                # `부산대학교 창업지원단`: a unit every university has is named with its parent
                # (`가나대(총장 …) 창업보육센터`: without the bracket)
                unit = f"{a.core} {b.core}" if a.brackets else doc_text(doc)[a.core_start : b.core_end]
                self._mention(
                    state, unit, "Organization", a.core_start, b.core_end, "genre.body-unit", "unit"
                )
            else:
                unit = self._org(doc, state, b, "genre.body-unit")
            if parent and unit:
                ev = evidence(doc, a.start, b.end, "genre.body-unit")
                state.relations.append(Relation(unit, "subOrganizationOf", parent, ev))

    def known_parents(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """A body the lexicon knows as the unit of another (`조달청` … `부산지방조달청`, `국토부
        항공철도사고조사위원회`) belongs to it when the sentence names both; a short form that is
        also an ordinary word names its unit right after its parent (`국회 국방위`)."""
        rule_id = "genre.known-parent"
        lexicon = self.cues.lexicon
        for a, b in itertools.pairwise(words):
            if not a.core or a.particle or not b.core or (b.core_start, b.core_end) in state.anchors:
                continue
            entry, parent = lexicon.lookup(b.core), lexicon.lookup(a.core)
            if entry is None or parent is None or entry.parent != parent.id or b.core not in entry.ambiguous:
                continue
            self._mention(state, b.core, "Organization", b.core_start, b.core_end, rule_id, entry.subtype)
        if not words:
            return
        lo, hi = words[0].start, words[-1].end
        text = doc_text(doc)
        for child in [m for m in state.mentions_in(lo, hi, ("Organization",)) if m.key]:
            # `국회 국방위원회`: one name of the committee, written with its parent's name first
            entry = lexicon.by_id(child.key or "")
            parent_entry = lexicon.by_id(entry.parent) if entry is not None and entry.parent else None
            if parent_entry is None:
                continue
            for surface in parent_entry.surfaces:
                end = child.start + len(surface)
                if end < child.end and text.startswith(surface, child.start) and text[end : end + 1] == " ":
                    self._mention(
                        state, surface, "Organization", child.start, end, rule_id, parent_entry.subtype
                    )
                    break
        named = [m for m in state.mentions_in(lo, hi, ("Organization",)) if m.key]
        for child in named:
            entry = lexicon.by_id(child.key or "")
            if entry is None or entry.parent is None:
                continue
            parent_m = next(
                (m for m in named if m.key == entry.parent and self._names_parent(doc, m, child)), None
            )
            if parent_m is None:
                continue
            start, end = min(child.start, parent_m.start), max(child.end, parent_m.end)
            ev = evidence(doc, start, end, rule_id)
            state.relations.append(Relation(child.text, "subOrganizationOf", parent_m.text, ev))

    def _names_parent(self, doc: Doc, parent: Mention, child: Mention) -> bool:
        """Does the text tie the unit to its parent: the parent written right before it
        (`국토부 항공철도사고조사위원회`), or the unit's name ending with the parent's
        (`조달청` … `부산지방조달청`). Two bodies merely named in one sentence are not enough:
        an agency and its ministry often are, and the text says nothing of the tie."""
        between = doc_text(doc)[parent.end : child.start] if parent.end <= child.start else "-"
        if not re.sub(r"\([^()]*\)", "", between).strip():  # `중기부(장관 …) 경기중기청`
            return True
        entry = self.cues.lexicon.by_id(parent.key or "")
        child_key = name_key(child.text)
        return entry is not None and any(
            len(name_key(surface)) >= 2 and child_key.endswith(name_key(surface))
            for surface in (entry.name, *entry.aliases)
        )

    def formed_units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`한국은행은 비상상황반을 가동하고`, `X는 전담팀을 꾸려`: a task force, team or office
        the sentence's subject sets up is its unit."""
        rule = rulebook()["genre.formed-unit"]
        unit_shape, verb = rule.regex("unit"), rule.regex("verb")
        text = doc_text(doc)
        for w in words:
            if not w.core or w.particle not in ("을", "를") or not unit_shape.search(w.core):
                continue
            if len(w.core) < 3 or w.core in self.cues.org_stopwords or self.read_title(w.core):
                continue
            if self.cues.lexicon.lookup(w.core) or not verb.match(text, w.end):
                continue
            parent = self._subject_body(doc, state, w.start, exclude=w.core, topic=False)
            if not parent:
                continue
            self._mention(state, w.core, "Organization", w.core_start, w.core_end, rule.id, "unit")
            ev = evidence(doc, w.start, w.end, rule.id)
            state.relations.append(Relation(w.core, "subOrganizationOf", parent, ev))

    def affiliates(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`X그룹의 … 계열사인 Y가`, `X는 … Y 등 주요 계열사와`: an affiliate belongs to
        the group the sentence's subject or a genitive names (`한화는` names `한화그룹` when the
        lexicon knows that group)."""
        rule = rulebook()["genre.affiliate"]
        cue = rule.regex("cue")
        for k, w in enumerate(words):
            if not cue.fullmatch(w.core):
                continue
            group = self._group_before(words[:k])
            if group is None:
                continue
            parent = self._org(doc, state, group, rule.id)
            if parent is None:
                continue
            children: list[Word] = []
            nxt = words[k + 1] if k + 1 < len(words) else None
            if w.particle == "인" and nxt is not None and self._affiliate_name(doc, nxt, named=True):
                children.append(nxt)  # `계열사인 Y가`: the apposition says Y is a company
            j = k - 1
            if j >= 0 and words[j].core in ("주요", "핵심", "주력") and not words[j].particle:
                j -= 1
            if j >= 1 and words[j].core == "등" and not words[j].particle:
                for x in reversed(words[:j]):  # `A, B 등 계열사`
                    if x is not words[j - 1] and x.particle != ",":
                        break
                    if not self._affiliate_name(doc, x):
                        break
                    children.append(x)
            for child in children:
                name = self._org(doc, state, child, rule.id)
                if name and self._canonical(name) != self._canonical(parent):
                    ev = evidence(doc, min(child.start, w.start), max(child.end, w.end), rule.id)
                    state.relations.append(Relation(name, "subOrganizationOf", parent, ev))

    def _group_before(self, words: list[Word]) -> Word | None:
        """The group a sentence names before an affiliate cue: a subject or a genitive that is a
        group's name, or a short name the lexicon knows with 그룹 after it (`한화는`)."""
        for x in words:
            if not x.core or particle_role(x.particle) not in ("subject", "genitive"):
                continue
            if self.cues.lexicon.lookup(x.core + "그룹") is not None:
                return x
            if self.is_org(x.core) and x.core.endswith("그룹"):
                return x
        return None

    def _affiliate_name(self, doc: Doc, w: Word, named: bool = False) -> bool:
        """A word that can name a company: a body's name, or a proper or foreign noun (any
        noun when the text calls it a company)."""
        if not w.core or len(w.core) < 2 or w.core in self.cues.org_stopwords or self.read_title(w.core):
            return False
        if self.is_org(w.core) or self.cues.lexicon.lookup(w.core):
            return True
        tags = tags_in(doc, w.core_start, w.core_end)
        return (
            bool(tags)
            and all(t.startswith(("NNP", "NNG", "SL")) for t in tags)
            and (named or any(t.startswith(("NNP", "SL")) for t in tags))
        )

    def superior_bodies(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`28사단은 … 상급부대인 6군단장에게`: the subject's unit is under the body called its
        superior (a unit fused with a title on either side counts as the unit)."""
        rule = rulebook()["genre.superior-body"]
        cue = rule.regex("cue")
        for k in range(1, len(words) - 1):
            if not cue.fullmatch(words[k].core) or words[k].particle != "인":
                continue
            parent = self._unit_of_word(words[k + 1])
            child_w = next((w for w in reversed(words[:k]) if particle_role(w.particle) == "subject"), None)
            child = self._unit_of_word(child_w) if child_w is not None else None
            if parent is None or child is None or child[0] == parent[0]:
                continue
            for name, start in (parent, child):
                self._mention(
                    state, name, "Organization", start, start + len(name), rule.id, self.org_subtype(name)
                )
            lo = min(child[1], parent[1])
            ev = evidence(doc, lo, max(child[1] + len(child[0]), parent[1] + len(parent[0])), rule.id)
            state.relations.append(Relation(child[0], "subOrganizationOf", parent[0], ev))

    def _unit_of_word(self, w: Word) -> tuple[str, int] | None:
        """The body or unit a word names, and where: itself (`28사단`, `3군사령부`), or the unit
        of a fused title (`6군단장`: a title the lexicon knows whole, the unit before its 장)."""
        if not w.core:
            return None
        title = self.read_title(w.core)
        if title is not None and title.unit:
            return title.unit, w.core_start
        stem = w.core[:-1]
        if (
            title is not None
            and w.core.endswith("장")
            and len(stem) >= 3
            and stem.endswith(self.cues.unit_suffixes)
        ):
            return stem, w.core_start  # `6군단장`: the head of the 6군단
        if title is not None:
            return None
        if self.is_org(w.core) or (len(w.core) >= 3 and w.core.endswith(self.cues.unit_suffixes)):
            return w.core, w.core_start
        return None

    def _subject_body(
        self, doc: Doc, state: DocState, at: int, exclude: str = "", topic: bool = True
    ) -> str | None:
        """The body the sentence's subject names before `at`, else (with `topic`) the body the
        post is about."""
        sent = state.sentence_at(at)
        subject = next(
            (
                m
                for g in subject_groups(doc, state, sent[0], sent[1], before=at)
                for m in g
                if m.type == "Organization" and m.subtype not in ("unit",) and m.text != exclude
            ),
            None,
        )
        if subject is not None:
            return self._canonical(subject.text)
        return self._topic_body(state, doc) if topic else None

    def listed_units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`X는 A, B, C 등 3개의 부설기관을 두고 있다`, `A·B·C팀 등 3개 부서`: units listed
        before 등, a count and a noun for units belong to the sentence's subject (else the
        post's body)."""
        rule = rulebook()["genre.listed-units"]
        count, kind = rule.regex("count"), rule.regex("kind")
        for k in range(1, len(words) - 2):
            w = words[k]
            if w.core != "등" or w.particle or not count.fullmatch(words[k + 1].core + words[k + 1].particle):
                continue
            if not kind.match(words[k + 2].core):
                continue
            # the list: the word before 등, and each word closing an item with a comma back to
            # the clause's subject (`… 총괄하는 A, … 연구하는 B, … C 등`)
            ends = [k - 1]
            for j in range(k - 2, -1, -1):
                role = particle_role(words[j].particle)
                if role in ("subject", "topic") or words[j].particle in ("은", "는", "이", "가"):
                    break
                if words[j].particle == ",":
                    ends.append(j)
            items: list[tuple[str, int, int]] = []
            for j in ends:
                x, start = words[j], words[j].core_start
                # `소프트웨어 공학센터`: a plain noun right before the name is part of it
                if j > 0 and not words[j - 1].particle and self._plain_noun(doc, words[j - 1]):
                    start = words[j - 1].core_start
                items.append((doc_text(doc)[start : x.core_end], start, x.core_end))
            names = [(n, a, b) for n, a, b in reversed(items) if self._unit_name(n)]
            if len(names) < 2 or len(names) != len(items):
                continue
            parent = self._subject_body(doc, state, names[0][1])
            if not parent:
                continue
            for name, a, b in names:
                self._mention(state, name, "Organization", a, b, rule.id, self.org_subtype(name) or "unit")
                ev = evidence(doc, a, b, rule.id)
                state.relations.append(Relation(name, "subOrganizationOf", parent, ev))

    def _plain_noun(self, doc: Doc, w: Word) -> bool:
        tags = tags_in(doc, w.core_start, w.core_end)
        return bool(tags) and all(t.startswith(("NNG", "NNP", "SL")) for t in tags)

    def _unit_name(self, name: str) -> bool:
        """A listed word that can name a unit: a unit's or a body's ending, no title, no list."""
        core = name.replace(" ", "")
        if len(core) < 3 or any(c in core for c in "·ㆍ・") or self.read_title(core):
            return False
        return core.endswith(self.cues.unit_suffixes) or core.endswith(self.cues.strong_org_suffixes)

    def head_office_units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`본사 경영기획팀 과장`, `본사 인사팀장`: a unit of the head office is a unit of the
        body the post is about."""
        rule = rulebook()["genre.head-office-unit"]
        office = rule.regex("office")
        for a, b in itertools.pairwise(words):
            if not office.fullmatch(a.core) or a.particle or not b.core:
                continue
            title = self.read_title(b.core)
            unit = title.unit if title is not None else b.core
            if not unit or len(unit) < 3 or not unit.endswith(self.cues.unit_suffixes):
                continue
            if unit in self.cues.org_stopwords or self.cues.lexicon.lookup(unit):
                continue
            parent = self._topic_body(state, doc)
            if not parent:
                continue
            self._mention(
                state, unit, "Organization", b.core_start, b.core_start + len(unit), rule.id, "unit"
            )
            ev = evidence(doc, a.start, b.end, rule.id)
            state.relations.append(Relation(unit, "subOrganizationOf", parent, ev))

    def bracketed_units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`단장 NAME 교수(경영대학원)`: the college, school or department in brackets after
        a professor belongs to the university the sentence's subject names, else the post's."""
        rule = rulebook()["genre.professor-unit"]
        title, unit_shape = rule.regex("title"), rule.regex("unit")
        text = doc_text(doc)
        for w in words:
            if not w.core or not w.brackets or not title.fullmatch(w.core):
                continue
            b_start, b_end = w.brackets[0]
            name = text[b_start:b_end].strip()
            if not unit_shape.fullmatch(name) or self.cues.lexicon.lookup(name):
                continue
            parent = self._subject_body(doc, state, w.start)
            if not parent or self.org_subtype(parent) != "university":
                continue
            start = b_start + text[b_start:b_end].find(name)
            self._mention(state, name, "Organization", start, start + len(name), rule.id, "unit")
            ev = evidence(doc, w.start, w.end, rule.id)
            state.relations.append(Relation(name, "subOrganizationOf", parent, ev))

    def genitive_units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`국토해양부의 중앙해양안전심판원은`: a body named in the genitive right before another
        body whose ending names a body is its parent."""
        rule = rulebook()["genre.genitive-unit"]
        parents = rule.regex("parent_subtype")
        for a, b in itertools.pairwise(words):
            if not a.core or not b.core or particle_role(a.particle) != "genitive" or a.brackets:
                continue
            parent_type = self.org_subtype(a.core)
            if parent_type is None or not parents.fullmatch(parent_type):
                continue
            if not b.core.endswith(self.cues.strong_org_suffixes) or self.read_title(b.core):
                continue
            child_type = self.org_subtype(b.core)
            if child_type is None or b.core in self.cues.org_stopwords:
                continue
            entry = self.cues.lexicon.lookup(b.core)
            if entry is not None and entry.parent is None and entry.subtype == "government":
                continue  # `국토부의 기재부`: two ministries, not a body and its unit
            parent = self._org(doc, state, a, rule.id)
            child = self._org(doc, state, b, rule.id)
            if parent and child and self._canonical(parent) != self._canonical(child):
                ev = evidence(doc, a.start, b.end, rule.id)
                state.relations.append(Relation(child, "subOrganizationOf", parent, ev))

    def branches(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`근로복지공단은 경남 김해지사를 개소`, `대전지역본부(대전), 충남지역본부(천안) …`: a branch,
        regional office or division named without its parent belongs to the body the sentence's
        subject names, else to the body the post is about."""
        rule = "genre.branch-of-body"
        for k, w in enumerate(words):
            core = w.core
            if (
                len(core) < 4
                or not core.endswith(self.cues.branch_suffixes)
                or core in self.cues.org_stopwords
            ):
                continue
            if self.cues.lexicon.lookup(core) or self.read_title(core) or any(c.isdigit() for c in core):
                continue
            if k > 0 and words[k - 1].core and not words[k - 1].particle and self.is_org(words[k - 1].core):
                continue  # `근로복지공단 익산지사`: the unit rule reads a unit after its parent
            if any(
                m.type == "Organization" and m.start <= w.core_start < m.end and (m.end - m.start) > len(core)
                for m in state.mentions
            ):
                continue
            parent = self._subject_body(doc, state, w.core_start, exclude=core)
            self._mention(state, core, "Organization", w.core_start, w.core_end, rule, "unit")
            if parent and parent != core:
                ev = evidence(doc, w.start, w.end, rule)
                state.relations.append(Relation(core, "subOrganizationOf", parent, ev))

    def _topic_body(self, state: DocState, doc: Doc | None = None) -> str | None:
        """The body the post is about: the first body a sentence has as its subject (with the
        doc), else the first agency, government body or company it names."""
        kinds = ("agency", "government", "company", "association", "center", "university", "taskforce")
        if doc is not None:
            for s, e in state.sentences:
                for group in subject_groups(doc, state, s, e):
                    for m in group:
                        if m.type == "Organization" and m.subtype in kinds:
                            return self._canonical(m.text)
        named = sorted(
            (m for m in state.mentions if m.type == "Organization" and m.subtype in kinds[:4]),
            key=lambda m: m.start,
        )
        return self._canonical(named[0].text) if named else None

    def _agency_division(self, parent: str, name: str) -> bool:
        """`LH 스마트도시개발처`, `중진공 청년창업처`: a 처 or 부 inside a public agency or a
        company is one of its divisions, not a ministry-level body."""
        if not name.endswith(("처", "부")) or len(name) < 4:
            return False
        return self.org_subtype(parent) in ("agency", "company", "association", "university")

    def subordinate_cues(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`기관 산하 X`, `기관 소속 X`, `기관 산하 … 운용기관인 X`, `X는 기관 산하 공공기관으로`."""
        cue = rulebook()["genre.subordinate-cue"].regex("cue")
        for k in range(1, len(words) - 1):
            if not cue.match(words[k].core) or not words[k - 1].core:
                continue
            parent_w = words[k - 1]
            # `중기부 소속 X`, `중기부의 산하 X`, and `중기부는 산하 창업진흥원을 통해`
            if particle_role(parent_w.particle) not in ("none", "genitive", "subject") or not self.is_org(
                parent_w.core
            ):
                continue
            child_w = next((w for w in words[k + 1 : k + 5] if w.core and self.is_org(w.core)), None)
            between = words[k + 1 : words.index(child_w)] if child_w is not None else []
            if child_w is None or any(
                particle_role(w.particle) in ("subject", "object", "conj") for w in between
            ):
                # `캠코는 금융위원회 산하 공공기관으로`: the subject is the child
                child_w = next(
                    (
                        w
                        for w in reversed(words[: k - 1])
                        if particle_role(w.particle) == "subject" and self.is_org(w.core)
                    ),
                    None,
                )
                if child_w is None or "으로" not in "".join(w.particle for w in words[k + 1 : k + 3]):
                    continue
            after = words.index(child_w) + 1
            if not child_w.particle and after < len(words) and self.is_person_word(doc, words[after]):
                continue  # `정보위원회 소속 국민의당 이규태 의원`: the person's seat, not the party's
            parent = self._org(doc, state, parent_w, "genre.subordinate-cue")
            child = self._org(doc, state, child_w, "genre.subordinate-cue")
            if parent and child and parent != child:
                lo, hi = min(parent_w.start, child_w.start), max(parent_w.end, child_w.end)
                ev = evidence(doc, lo, hi, "genre.subordinate-cue")
                state.relations.append(Relation(child, "subOrganizationOf", parent, ev))

    def body_references(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`공사는 … 설명회를 열고`, `센터가 운영하는 ‘P’`: a bare generic noun as a subject
        names the one body written in full earlier whose name ends with it."""
        for w in words:
            if w.core not in self.cues.body_references or particle_role(w.particle) not in (
                "subject",
                "conj",
            ):
                continue
            if doc_text(doc)[w.start - 1 : w.start].strip() not in ("", "ㅇ", "□", "○", "-", "(", "‘"):
                continue  # `지역 창조경제혁신센터`: part of a longer phrase
            names = {
                m.text
                for m in state.mentions
                if m.type == "Organization"
                and m.end <= w.start
                and m.text.replace(" ", "").endswith(w.core)
                and m.text != w.core
            }
            if len(names) == 1:
                self._mention(
                    state, names.pop(), "Organization", w.core_start, w.core_end, "genre.body-reference"
                )

    def _place_university(self, name: str) -> bool:
        """`부산외대`, `경기대`, `광주여대`: a university's short name made of a place the lexicon
        knows and 대 (여대, 외대, 교대)."""
        if not self.cues.is_university_short(name):
            return False
        return self.cues.lexicon_place(re.sub(r"(?:여|외|교)?대$", "", name))

    def listed_kinds(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`A, B, C 등 4개 대형 온라인 서점`, `A·B 등의 유럽계 업체들`, `A, B, C 3사의`: names
        listed before 등 and a noun that says what they are (업체, 서점, 회사 …), or before a
        count of companies, are bodies."""
        rule = rulebook()["genre.listed-before-kind"]
        kind, count = rule.regex("kind"), rule.regex("count")
        for k, w in enumerate(words):
            if k == 0 or words[k - 1].particle:
                continue
            if w.core == "등" and w.particle in ("", "의"):
                head = next((x for x in words[k + 1 : k + 5] if x.particle), None)
                if head is None or not kind.search(head.core):
                    continue  # the noun that ends the phrase says what the names are
                least = 1
            elif count.fullmatch(w.core):
                least = 2
            else:
                continue
            names: list[tuple[str, int]] = []
            for j in range(k - 1, -1, -1):  # the list, last name first, to the first word no name
                x = words[j]
                if j < k - 1 and x.particle not in (",", "와", "과"):
                    break
                parts, pos = [], x.core_start
                for part in re.split(r"([·ㆍ・])", x.core):
                    if part and part not in "·ㆍ・":
                        parts.append((part, pos))
                    pos += len(part)
                if not parts or not all(self._listed_name(doc, n, p, kind) for n, p in parts):
                    break
                names.extend(reversed(parts))
            if len(names) < least:
                continue
            for name, pos in names:
                self._mention(state, name, "Organization", pos, pos + len(name), rule.id, "company")

    def _listed_name(self, doc: Doc, name: str, start: int, kind: re.Pattern[str]) -> bool:
        """Can a listed word be a body's name: not a common noun, person, place, title or kind."""
        if len(name) < 2 or name in self.cues.org_stopwords or kind.search(name):
            return False
        if self.cues.lexicon_place(name) or self.read_title(name) or self.cues.is_person_name(name):
            return False
        tags = tags_in(doc, start, start + len(name))
        if not tags or not all(t.startswith((*NOUNISH_PREFIXES, "SY", "IC")) for t in tags):
            return False  # `최초이며`: a verb or an ending, not a name
        if all(t.startswith(("SN", "NR", "NNB")) for t in tags):
            return False  # numbers, amounts
        # a name has a proper-noun, Latin or digit part (볼보, 삼성항공, 예스24); common nouns do not
        # (정책집행 등 중소기업 …), unless their ending names a body
        return any(t.startswith(("NNP", "SL", "SN")) for t in tags) or self.is_org(name)

    def age_affiliations(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`김제덕(17·경북일고)`, `장민희(22·인천대)`: the age and the school, team or company a
        news text writes in brackets after a name; the second part is a body when it reads as
        one (an ending, a university's or school's short name, a proper noun no place)."""
        rule = rulebook()["genre.age-affiliation"]
        shape, school = rule.regex("bracket"), rule.regex("school")
        text = doc_text(doc)
        for w in words:
            if not w.core or not w.brackets:
                continue
            b_start, b_end = w.brackets[0]
            hit = shape.fullmatch(text, b_start, b_end)
            if hit is None:
                continue
            name = hit.group("body")
            start = hit.start("body")
            tags = tags_in(doc, start, start + len(name))
            if name in self.cues.org_stopwords or self.cues.lexicon_place(name) or self.is_person(name):
                continue  # `(35·서울)`: where the person lives
            proper = len(tags) == 1 and tags[0].startswith("NNP")
            if self.is_org(name) or school.search(name) or proper:
                self._mention(
                    state, name, "Organization", start, start + len(name), rule.id, self.org_subtype(name)
                )

    def foreign_missions(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`일본 대사관`, `상하이 총영사관`, `일본 정부`: a place name followed by a mission noun
        names that country's mission (there), followed by 정부 its government."""
        rule = rulebook()["genre.country-mission"]
        body = rule.regex("body")
        tags = tag_at(doc)
        for a, b in itertools.pairwise(words):
            if not a.core or a.particle or a.brackets or not body.fullmatch(b.core):
                continue
            tag = tags.get(a.core_start, (0, ""))[1]
            if not tag.startswith("NNP-지명") or tags.get(a.core_start, (0, ""))[0] != a.core_end:
                continue
            if any(m.type == "Organization" and m.start <= a.core_start < m.end for m in state.mentions):
                continue  # 대한민국 해군 …: part of a name already read
            name = doc_text(doc)[a.core_start : b.core_end]
            self._mention(state, name, "Organization", a.core_start, b.core_end, rule.id, "government")

    def suffix_orgs(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """A word whose ending names a body (…진흥원, …협회), used as subject or listed; a Latin
        short name before a body's ending written as its own word is one name (`SM 엔터테인먼트`)."""
        for a, w in itertools.pairwise(words):
            if (
                w.core in self.cues.strong_org_suffixes
                and LATIN_SHORT_NAME.fullmatch(a.core or "")
                and not a.particle
                and not a.brackets
                and w.core_start == a.core_end + 1
                and particle_role(w.particle) in NAME_ROLES
            ):
                name = doc_text(doc)[a.core_start : w.core_end]
                kind = self.cues.org_subtype_by_suffix(name) or "company"
                self._mention(
                    state, name, "Organization", a.core_start, w.core_end, "genre.suffix-body", kind
                )
        for w in words:
            if not w.core or (w.start, w.core_end) in state.anchors:
                continue
            if particle_role(w.particle) not in NAME_ROLES:
                continue
            subtype = self.org_subtype(w.core)
            if subtype is None or self.cues.lexicon.lookup(w.core) or self.read_title(w.core):
                continue
            strong = w.core.endswith(self.cues.strong_org_suffixes)
            if (subtype in WEAK_SUBTYPES and not (subtype == "company" and strong)) or any(
                c in w.core for c in "·ㆍ・/"
            ):
                continue  # 회의실, 딥테크, `복지부·중기부`: units and companies need more than an ending
            if not strong and not self._place_university(w.core):  # (a media outlet's is enough)
                continue
            if subtype == "company" and self.cues.is_person_name(w.core):
                continue  # 심일보: a person whose name ends like a newspaper
            if any(
                m.type == "Organization" and m.start <= w.core_start and w.core_end <= m.end
                for m in state.mentions
            ):
                continue  # already read as part of a longer name (`부산대학교 창업지원단`)
            self._mention(
                state, w.core, "Organization", w.core_start, w.core_end, "genre.suffix-body", subtype
            )
