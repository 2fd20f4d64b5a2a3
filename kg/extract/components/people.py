"""Who holds which post: the genre's ways of naming people with their titles.

- `기관(장관 이름, 이하 약칭)`, `기관(이름 센터장)`, `기관(LH)`, `기관(English Name)`
- `이름 직함`, `이름 기관 직함`, `기관 이름 직함`, `직함 이름`, fused titles
  (`재난안전관리본부장` → unit 재난안전관리본부 + 본부장), acting titles (직무대행)
- `최 차관은` (surname + title of someone introduced earlier), `주가례 씨`
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc

from kg.extract.reading import (
    PARTICLE_END,
    VERBAL_END,
    Recorder,
    TitleRead,
    inflected,
    is_subsequence,
    ner_person_spans,
    unit_reading,
)
from kg.extract.rules import rulebook
from kg.extract.state import AliasFact, DocState, doc_text, evidence
from kg.extract.words import Word, particle_role, split_words, tag_at
from kg.model import Relation
from kg.text.names import LEGAL_FORMS, split_legal_form

LISTED_NAMES = "genre.listed-names-title"
NAME_BODY_UNIT = "genre.name-body-unit-title"
TITLE_KIND_BODY = "genre.title-kind-body"
SERIES_BODY = "genre.series-body-title"
NESTED_POST = "genre.apposition-own-post"
BULLET_POST = "genre.bullet-title-name"
FOREIGN_NAME = "genre.foreign-name-ner"
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&.,'\- ]*")
ABBR = re.compile(r"[A-Z][A-Z0-9&\-]{1,9}")
ENGLISH_TITLE = re.compile(
    r"\b(?:Officer|Chief|Director|Manager|President|CEO|CTO|COO|Minister|Head|Chair|Chairman|Secretary|Vice)\b"
)


class PeopleRules(Recorder):
    def appositions(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`기관(장관 이름, 이하 약칭)` and friends."""
        text = doc_text(doc)
        for w in words:
            if not w.brackets or not w.core or state.anchors.get((w.core_start, w.core_end)) == "division":
                continue
            b_start, b_end = w.brackets[0]
            inner = text[b_start:b_end]
            items = [(m.group(0), b_start + m.start()) for m in re.finditer(r"[^,，;]+", inner)]
            people: list[tuple[str, TitleRead, int]] = []
            aliases: list[tuple[str, str]] = []
            own_posts: list[tuple[str, str, TitleRead, int]] = []  # person, body, title, body's offset
            for item, pos in items:
                raw = item.strip()
                pos += len(item) - len(item.lstrip())
                alias_m = re.match(
                    r"^이하\s*[\"'‘“「]?(?P<a>[^\"'’”」]+?)[\"'’”」]?\s*(?:이라\s*한다|라\s*한다)?$",
                    raw,
                )
                if alias_m:
                    aliases.append((alias_m.group("a").strip(), "short"))
                    continue
                parts = raw.split()
                if len(parts) >= 3 and ABBR.fullmatch(parts[0]) and self.read_title(" ".join(parts[1:-1])):
                    # `기관(ABBR 대표 이름)`: the body's short form, then its head
                    aliases.append((parts[0], "abbr"))
                    pos += len(parts[0]) + raw[len(parts[0]) :].find(parts[1])
                    raw, parts = raw[raw.find(parts[1]) :], parts[1:]
                if len(parts) >= 4:
                    # `협회(회장 이름 회사 대표)`: the bracket's post, then the person's own body and title
                    t0, t_end = self.read_title(parts[0]), self.read_title(parts[-1])
                    body = " ".join(parts[2:-1])
                    if (
                        t0
                        and t_end
                        and not t_end.unit
                        and self.is_person(parts[1])
                        and (self.is_org(body) or t_end.role in self.cues.company_heads)
                        and not self.read_title(body)
                        and not self.cues.is_person_name(body)
                    ):
                        people.append((parts[1], t0, pos + raw.find(parts[1])))
                        own_posts.append((parts[1], body, t_end, pos + raw.rfind(body)))
                        continue
                if len(parts) >= 2:
                    t1 = self.read_title(" ".join(parts[:-1]))
                    if t1 and self.is_person(parts[-1]):
                        people.append((parts[-1], t1, pos + raw.rfind(parts[-1])))
                        continue
                    t2 = self.read_title(" ".join(parts[1:]))
                    if t2 and self.is_person(parts[0]):
                        people.append((parts[0], t2, pos))
                        continue
                if LATIN.fullmatch(raw) and not raw.isdigit():
                    aliases.append((raw, "abbr" if ABBR.fullmatch(raw) else "english"))
                    continue
                if (
                    re.fullmatch(r"[가-힣]{2,5}", raw)
                    and len(raw) < len(w.core)
                    and is_subsequence(raw, w.core)
                    and not self.read_title(raw)
                ):
                    aliases.append((raw, "short"))
            if not people and not aliases:
                continue
            is_org = self.is_org(w.core) or bool(people)
            if people and is_org:
                org = self._org(doc, state, w, "genre.apposition-body")
                for name, title, pos in people:
                    self._mention(state, name, "Person", pos, pos + len(name), "genre.apposition-person")
                    self._unit_mention(state, title, w)
                    self._holds(doc, state, name, org, title, w.core_start, b_end, "genre.apposition-post")
                for name, body, title, pos in own_posts:
                    self._mention(state, body, "Organization", pos, pos + len(body), NESTED_POST, "company")
                    self._holds(doc, state, name, body, title, w.core_start, b_end, NESTED_POST)
            for alias, kind in aliases:
                if kind == "english" and self.is_person(w.core):
                    state.aliases.append(
                        AliasFact(
                            w.core,
                            alias,
                            "english",
                            evidence(doc, w.start, w.end, "genre.english-name"),
                            "Person",
                        )
                    )
                    continue
                if (
                    not is_org
                    and kind == "english"
                    and re.fullmatch(r"[가-힣]{2,12}", w.core)
                    and not self.read_title(w.core)
                    and not ENGLISH_TITLE.search(alias)
                    and not self._after_bare_word(doc, words, w)
                ):
                    # `쏠리드파워(Solid Power)`: a one-word Korean name with its English form is
                    # a body (foreign people are written as two words: 데릭 존슨)
                    self._mention(
                        state,
                        w.core,
                        "Organization",
                        w.core_start,
                        w.core_end,
                        "genre.name-with-english",
                        "company",
                    )
                if not is_org and kind != "short" and not self.cues.lexicon.lookup(w.core):
                    # `쏠리드파워(Solid Power)`: a name with its English form; the type is
                    # decided later by what the name does in the sentence.
                    state.aliases.append(
                        AliasFact(
                            w.core, alias, kind, evidence(doc, w.start, w.end, "genre.english-alias"), ""
                        )
                    )
                    continue
                state.aliases.append(
                    AliasFact(
                        w.core, alias, kind, evidence(doc, w.start, w.end, "genre.apposition-alias"), ""
                    )
                )

    def _after_bare_word(self, doc: Doc, words: list[Word], w: Word) -> bool:
        """`데릭 존슨(Derek Johnson)`: the word ends a two-word foreign name."""
        k = words.index(w)
        if k == 0:
            return False
        prev = words[k - 1]
        return (
            bool(prev.core)
            and not prev.particle
            and not prev.brackets
            and bool(re.fullmatch(r"[가-힣]{1,6}", prev.core))
        )

    def person_titles(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`이름 직함`, `이름 기관 직함`, `기관 이름 직함`, `직함 이름`, foreign names."""
        n = len(words)
        i = 0
        while i < n:
            listed = self._listed_names(doc, state, words, i)
            if listed is not None:
                i = listed
                continue
            name, name_end = self._person_at(doc, words, i)
            if name is None:
                i += 1
                continue
            j = name_end  # index of the word after the name
            former = False
            if j + 1 < n and words[j].core in self.cues.countries and not words[j].particle:
                after = doc_text(doc)[words[j + 1].start : words[j + 1].end]
                if self.cues.is_title_modifier(after):
                    j += 1  # `노무현 대한민국 전 대통령`
            modifier = doc_text(doc)[words[j].start : words[j].end] if j < n else ""
            if j < n and self.cues.is_title_modifier(modifier):
                j += 1  # `김철수 전 서울대 총장`, `홍길동 신임 원장`: the modifier is not part of the post
                former = modifier in self.cues.former_marks
            org: str | None = None
            if (
                j + 2 < n
                and words[j].core in self.cues.countries
                and not words[j].particle
                and not former
                and self.is_org(words[j + 1].core)
                and not self._title_at(words, j + 1)
                and self._title_at(words, j + 2)
            ):
                j += 1  # `심상정 대한민국 정의당 대표`: the country is no part of the post
            unit_in = self._unit_of_known_body(words, j)
            if unit_in is not None:
                # `이승환 서울대학교 응용생물화학부 교수`: the post is in the unit, the unit in the body
                body = self._org(doc, state, words[j], NAME_BODY_UNIT)
                org = self._org(doc, state, words[j + 1], NAME_BODY_UNIT)
                if body and org:
                    ev = evidence(doc, words[j].start, words[j + 1].end, NAME_BODY_UNIT)
                    state.relations.append(Relation(org, "subOrganizationOf", body, ev))
                j += 2
            elif j + 1 < n and not self._title_at(words, j) and self._title_at(words, j + 1):
                # `고규창 행정안전부 차관`, `이병권 중기부 제2차관`; not `상인회 정시범 회장`
                org_word = words[j]
                if self._korean_name(doc, org_word) is not None and not self._ner_settles(
                    doc, words[i], org_word
                ):
                    i += 1
                    continue
                if org_word.core and org_word.core not in self.cues.org_stopwords:
                    org = self._org(doc, state, org_word, "genre.name-body-title")
                j += 1
            title_read = self._title_at(words, j) if j < n else None
            if title_read is None:
                i += 1
                continue
            title, t_words = title_read
            if org is None and title.role in self.cues.ambiguous_titles and self.doubtful_name(doc, words[i]):
                i += 1  # `대체 공급처 후보`: a common noun cut like a name, before `후보`
                continue
            if former:
                title = replace(title, former=True)
            t_last = words[j + t_words - 1]
            start = words[i].start
            # replaced below when the body is found another way
            post_rule = NAME_BODY_UNIT if unit_in is not None else "genre.name-body-title"
            if org is None:
                org_word_before = self._org_before(doc, state, words, i, title)
                if org_word_before is not None:
                    org_word_before = self._extend_name_left(doc, state, words, i - 1, org_word_before)
                    org = self._org(doc, state, org_word_before, "genre.body-name-title")
                    start = org_word_before.start
                    post_rule = "genre.body-name-title"
            self._mention(
                state,
                name,
                "Person",
                words[i].core_start,
                words[i].core_start + len(name),
                "genre.name-title-person",
            )
            self._unit_mention(state, title, words[j])
            if org is None and title.unit is None:
                # `새누리당의 A 위원장, B 대변인 등`: a later item of a series after a genitive body
                series = self._series_body(doc, state, words, i)
                if series is not None:
                    org = self._org(doc, state, words[series], SERIES_BODY)
                    start, post_rule = words[series].start, SERIES_BODY
            if org is None and title.unit is None and t_last.brackets:
                # `이승건 대표(비바리퍼블리카)`: the body in the bracket after the title
                org = self._bracket_body(doc, state, t_last)
                post_rule = "genre.title-bracket-body"
            if org is None and title.unit is None:
                # `박성효 이사장은`: a person the post already placed keeps that body
                org, post_rule = self._known_org(state, name, title), "genre.title-known-body"
                if org is None:
                    org, post_rule = self._topic_org(state, title, words[i].start), "genre.title-topic-body"
                    if (
                        org is not None
                        and self._body_endings(title)
                        and not org.endswith(self._body_endings(title))
                    ):
                        org = None  # a minister's post is in no court the post is about
                if org is None:
                    org, post_rule = self._kind_org(doc, state, title, words, i), TITLE_KIND_BODY
                if org is None:
                    org, post_rule = (
                        self._recent_org(state, title, words[i].start),
                        "genre.title-recent-company",
                    )
            if org is None and title.unit is not None and not title.former:
                # the unit alone: holdsPosition on the unit, parent from context if any
                ev = evidence(doc, start, t_last.end, "genre.name-fused-title")
                state.relations.append(
                    Relation(name, "holdsPosition", title.unit, ev, role=title.role, acting=title.acting)
                )
                # a unit (`재생의료정책과장`) sits in the ministry the post is about;
                # a body with its own name (`한국소공인협회장`) does not
                parent = (
                    self._topic_org(state, TitleRead("실장", None), words[i].start)
                    if self.org_subtype(title.unit) == "unit"
                    else None
                )
                if parent and self.cues.lexicon.lookup(parent):
                    topic = evidence(doc, start, t_last.end, "genre.fused-title-topic-parent")
                    state.relations.append(Relation(title.unit, "subOrganizationOf", parent, topic))
            else:
                self._holds(doc, state, name, org, title, start, t_last.end, post_rule)
            # `조용남 심사위원(한국보육진흥원 교직원지원국장)`: a bracketed post
            if t_last.brackets:
                self._bracketed_post(doc, state, name, t_last)
            i = j + t_words
            i = self._concurrent_post(doc, state, words, name, i)

    def _title_span(self, words: list[Word], at: int) -> tuple[TitleRead, int, Word] | None:
        """The title starting at word `at`, how many words it takes and its last word."""
        read = self._title_at(words, at)
        if read is None:
            return None
        return read[0], read[1], words[at + read[1] - 1]

    def _ner_settles(self, doc: Doc, name: Word, other: Word) -> bool:
        """`이희상 동아원 회장`: of two name-shaped words before a title, the NER reads the first as
        a person and not the second, and the second is not one word MeCab's dictionary knows as a name."""
        people = ner_person_spans(doc)
        first = tag_at(doc).get(other.core_start)
        return (
            (name.core_start, name.core_end) in people
            and not any(other.core_start < e and s < other.core_end for s, e in people)
            and not (first is not None and first[0] == other.core_end and first[1] == "NNP-인명")
        )

    def _unit_of_known_body(self, words: list[Word], j: int) -> int | None:
        """`서울대학교 응용생물화학부` before a title: a body the lexicon knows, then a unit-shaped
        name it does not, then the title. Returns j, or None."""
        if j + 2 >= len(words) or words[j].particle or words[j + 1].particle or words[j].brackets:
            return None
        known = self.cues.lexicon.lookup(words[j].core)
        unit = words[j + 1].core
        if (
            known is None
            or known.type != "Organization"
            or self.cues.lexicon.lookup(unit) is not None
            or not self.is_org(unit)
            or self.cues.is_person_name(unit)
            or self._title_at(words, j)
            or self._title_at(words, j + 1)
            or not self._title_at(words, j + 2)
        ):
            return None
        return j

    def _listed_names(self, doc: Doc, state: DocState, words: list[Word], i: int) -> int | None:
        """`더불어민주당 박주민·정재호 의원`: names joined by middle dots share the title after them
        and the body before them. Returns the index of the word after the title, or None."""
        w = words[i]
        if "·" not in w.core or w.particle or w.brackets or i + 1 >= len(words):
            return None
        parts = w.core.split("·")
        if not all(
            self.cues.is_person_name(p) and not self.is_org(p) and not self.read_title(p) for p in parts
        ):
            return None
        after = i + 1  # `신정훈·박혜자 새정치민주연합 국회의원`: the body may follow the names
        if (
            not self._title_at(words, after)
            and after + 1 < len(words)
            and self.is_org(words[after].core)
            and not words[after].particle
        ):
            after += 1
        found = self._title_span(words, after)
        if found is None:
            return None
        title, used, last = found
        start, org = w.start, None
        before = self._org_before(doc, state, words, i, title) if after == i + 1 else words[i + 1]
        if before is not None:
            org = self._org(doc, state, before, LISTED_NAMES)
            start = min(start, before.start)
        pos = w.core_start
        for part in parts:
            self._mention(state, part, "Person", pos, pos + len(part), LISTED_NAMES)
            self._holds(doc, state, part, org, title, start, last.end, LISTED_NAMES)
            pos += len(part) + 1
        return after + used

    def _series_body(self, doc: Doc, state: DocState, words: list[Word], i: int) -> int | None:
        """The index of the body that opens a series of `name (body) title,` items ending right
        before word i (`새누리당의 A 국회 위원장, B 대변인`): a body with 의, then a person, and
        only bare words and commas up to i. None when word i does not follow a comma."""
        text = doc_text(doc)
        if i < 3 or not text[: words[i].start].rstrip().endswith((",", "，")):
            return None
        for k in range(i - 1, max(-1, i - 9), -1):
            w = words[k]
            if w.particle == "의" and k + 1 < i:
                if not w.core or not self.is_org(w.core) or self.read_title(w.core):
                    return None
                first, _ = self._person_at(doc, words, k + 1)
                return k if first is not None else None
            if w.particle not in ("", ",", "，") or w.brackets or not w.core:
                return None
        return None

    def _body_endings(self, title: TitleRead) -> tuple[str, ...]:
        """The endings of the bodies a title heads (위원장 → …위원회, …노조), or () if not listed."""
        kinds: dict[str, list[str]] = rulebook()[TITLE_KIND_BODY].patterns["bodies"]
        heads = [t for t in kinds if title.role.endswith(t)]
        return tuple(kinds[max(heads, key=len)]) if heads else ()

    def _kind_org(self, doc: Doc, state: DocState, title: TitleRead, words: list[Word], i: int) -> str | None:
        """`김 위원장은`, `박 원장의 기념사` with no body in the sentence: the body named last before
        it whose kind the title heads (위원장 ↔ …위원회/…노조, 원장 ↔ …원, 이사장 ↔ …공단/…재단).
        Not when the sentence has a body as its subject before the name (`테크노파크는 … 원장이`)."""
        before = words[i].start
        for w in words[:i]:
            if particle_role(w.particle) == "subject" and any(
                m.type == "Organization" and m.start <= w.core_start < m.end for m in state.mentions
            ):
                return None
        endings = self._body_endings(title)
        if not endings:
            return None
        named = [(m.start, m.end, m.text) for m in state.mentions if m.type == "Organization"]
        # the NER's bodies too (`금융노조는`): the rules have not read every name yet
        named += [(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ == "OG"]
        fits = [
            n for n in named if n[0] < before and n[2].replace(" ", "").endswith(endings) and len(n[2]) > 2
        ]
        if not fits:
            return None
        start, end, name = max(fits, key=lambda n: n[0])
        if not any(m.type == "Organization" and m.start == start for m in state.mentions):
            self._mention(state, name, "Organization", start, end, TITLE_KIND_BODY)
        return self._canonical(name)

    def _bracket_body(self, doc: Doc, state: DocState, word: Word) -> str | None:
        """The one name in the bracket after a title, when it names a body (`대표(비바리퍼블리카)`)."""
        b_start, b_end = word.brackets[0]
        inner = doc_text(doc)[b_start:b_end].strip()
        if (
            not inner
            or " " in inner
            or not re.fullmatch(r"[㈜(주)]*[가-힣A-Za-z][가-힣A-Za-z0-9&.·\-]{1,30}", inner)
            or self.cues.is_person_name(inner)
            or self.read_title(inner)
            or self.cues.lexicon_place(inner)
        ):
            return None
        name, form = split_legal_form(inner)
        if form:
            state.legal_forms[name] = form
        pos = b_start + inner.find(name)
        self._mention(
            state,
            name,
            "Organization",
            pos,
            pos + len(name),
            "genre.title-bracket-body",
            self.org_subtype(name) or "company",
        )
        return name

    def _concurrent_post(self, doc: Doc, state: DocState, words: list[Word], person: str, k: int) -> int:
        """`부총리 겸 기획재정부 장관`, `롯데지주 부회장 겸 액셀러레이터 이사회 의장`: after `겸`, the
        same person's other post (a body, then a title). Returns the index after what was read."""
        n = len(words)
        if k + 1 >= n or doc_text(doc)[words[k].start : words[k].end] not in self.cues.concurrent_marks:
            return k
        at = k + 1
        org: str | None = None
        if at + 1 < n and not self._title_at(words, at) and self._title_at(words, at + 1):
            if self.is_org(words[at].core):
                org = self._org(doc, state, words[at], "genre.concurrent-post")
            at += 1
        found = self._title_span(words, at)
        if found is None:
            return k
        title, used, last = found
        self._unit_mention(state, title, words[at])
        if org is None and title.unit is not None:
            ev = evidence(doc, words[k].start, last.end, "genre.concurrent-post")
            state.relations.append(Relation(person, "holdsPosition", title.unit, ev, role=title.role))
        else:
            self._holds(doc, state, person, org, title, words[k].start, last.end, "genre.concurrent-post")
        return at + used

    def _org_before(
        self, doc: Doc, state: DocState, words: list[Word], i: int, title: TitleRead
    ) -> Word | None:
        """The body named right before a person: `㈜하늘결로보틱스 김예시 대표`, `…기업청의 배예문 청장`."""
        if i == 0:
            return None
        prev = words[i - 1]
        if not prev.core:
            return None
        prev = unit_reading(prev, words[i : i + 2])
        if particle_role(prev.particle) not in ("none", "genitive"):
            prev = self._noun_surface(doc, prev)
            if prev.particle or VERBAL_END.search(prev.core):
                return None
        if (
            prev.core in self.cues.org_stopwords
            or self.read_title(prev.core)
            or self._is_date_word(state, prev)
        ):
            return None
        if self.is_org(prev.core) or prev.core in state.legal_forms or split_legal_form(prev.core)[1]:
            return prev
        if (
            prev.lead_bracket
            and doc_text(doc)[prev.lead_bracket[0] - 1 : prev.lead_bracket[1] + 1] in LEGAL_FORMS
        ):
            return prev
        # a company's head: `하늘결로보틱스 김예시 대표` — the proper noun before the name
        if title.role in self.cues.company_heads and self._proper_noun(doc, prev):
            return prev
        return None

    def _extend_name_left(self, doc: Doc, state: DocState, words: list[Word], k: int, word: Word) -> Word:
        """`남부시장 청년몰 상인회`: a body not in the lexicon may be named by several nouns."""
        if self.cues.lexicon.lookup(word.core) or word.lead_bracket or split_legal_form(word.core)[1]:
            return word
        first = k
        while first > 0 and k - first < 2:
            prev = words[first - 1]
            if not prev.core or prev.brackets or prev.lead_bracket:
                break
            if prev.particle:
                prev = self._noun_surface(doc, prev)
                if prev.particle or VERBAL_END.search(prev.core) or PARTICLE_END.search(prev.core):
                    break
            if self.cues.lexicon.lookup(prev.core) and self.is_org(prev.core):
                break  # the parent body: `소진공 전북지역본부`
            if (
                self._is_date_word(state, prev)
                or self.read_title(prev.core)
                or prev.core in self.cues.org_stopwords
            ):
                break
            if doc_text(doc)[prev.start] in "ㅇ□○▪■•◦-*":
                break
            first -= 1
        if first == k:
            return word
        start = words[first].core_start
        word = self._noun_surface(doc, word)
        return replace(
            word, start=words[first].start, core_start=start, core=doc_text(doc)[start : word.core_end]
        )

    def short_references(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`최 차관은`: a surname and a title name the person introduced earlier."""
        for k in range(len(words) - 1):
            w = words[k]
            if w.particle or not w.core or w.core not in self.cues.surname_set:
                continue
            title = self._title_at(words, k + 1)
            if title is None:
                continue
            held = [
                r
                for r in state.relations
                if r.relation == "holdsPosition" and r.head.startswith(w.core) and r.evidence.start < w.start
            ]
            names = {r.head for r in held if r.role == title[0].role} or {r.head for r in held}
            if len(names) == 1:
                self._mention(
                    state, names.pop(), "Person", w.core_start, w.core_end, "genre.surname-title-reference"
                )

    def dictionary_names(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """A word MeCab's dictionary knows as a personal name (NNP 인명): `문재인은`, `박칼린이`, where the
        NER reads it as a person too (the dictionary also tags 한강, 차바, 이용자 so)."""
        tags = tag_at(doc)
        for w in words:
            if not w.core or w.brackets or (w.core_start, w.core_end) in state.anchors:
                continue
            first = tags.get(w.core_start)
            if first is None or first[0] != w.core_end or first[1] != "NNP-인명":
                continue
            if self.is_person(w.core) and (w.core_start, w.core_end) in ner_person_spans(doc):
                self._mention(state, w.core, "Person", w.core_start, w.core_end, "genre.dictionary-name")

    def honorific_names(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`운영자 주가례 씨`, `예비창업자 전고안 씨는`: a name followed by 씨 is a person."""
        for k in range(len(words) - 1):
            w, nxt = words[k], words[k + 1]
            if not w.core or w.particle or not nxt.core.startswith("씨") or nxt.core not in ("씨",):
                continue
            if self.cues.is_person_name(w.core) and not self.is_org(w.core) and not self.read_title(w.core):
                self._mention(state, w.core, "Person", w.core_start, w.core_end, "genre.name-ssi")

    def title_before_name(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`산업부 장관 안덕근은`: body, title, then the name."""
        for k in range(1, len(words) - 1):
            t = self.read_title(words[k].core) if words[k].core else None
            if not t or t.unit or particle_role(words[k].particle) != "none":
                continue
            name_word = self._without_glued_particle(words[k + 1])
            if not self.is_person_word(doc, name_word) or not self.is_org(words[k - 1].core):
                continue
            org = self._org(doc, state, words[k - 1], "genre.body-title-name")
            name = name_word.core
            self._mention(
                state, name, "Person", words[k + 1].core_start, words[k + 1].core_end, "genre.body-title-name"
            )
            self._holds(
                doc, state, name, org, t, words[k - 1].start, words[k + 1].end, "genre.body-title-name"
            )

    def bullet_titles(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`▷단장 이름 교수(…) ▷부단장 이름 …`: a list of posts, each bullet a title and then its
        holder. A title fused with its unit (`창업교육센터장`) is held in that unit; a bare one in
        the body the sentence names last before the first bullet (`창업지원단 출범식에서 ▷단장 …`)."""
        text = doc_text(doc)
        rule = rulebook()[BULLET_POST]
        bullets = rule.regex("bullet")
        body: str | None = None
        body_seen = False
        for k in range(len(words) - 1):
            w = words[k]
            if not bullets.match(text[w.start : w.core_start]) or w.particle or not w.core:
                continue
            title = self.read_title(w.core)
            name_word = self._without_glued_particle(words[k + 1])
            if title is None or title.former or not self.is_person_word(doc, name_word):
                continue
            if not body_seen:
                body_seen = True
                nouns = [self._noun_surface(doc, v) for v in words[:k] if v.core]
                before = [v for v in nouns if self.is_org(v.core) and not self.read_title(v.core)]
                body = self._org(doc, state, before[-1], BULLET_POST) if before else None
            name = name_word.core
            self._mention(state, name, "Person", name_word.core_start, name_word.core_end, BULLET_POST)
            if body is not None:  # `▷창업교육센터장 이름`: the list's body, the title as written
                tail, role = body, w.core if title.unit else title.role
            elif title.unit is not None and title.unit not in self.cues.generic_units:
                self._unit_mention(state, title, w)
                tail, role = title.unit, title.role
            else:
                continue
            ev = evidence(doc, w.start, words[k + 1].end, BULLET_POST)
            state.relations.append(Relation(name, "holdsPosition", tail, ev, role=role, acting=title.acting))

    def _bracketed_post(self, doc: Doc, state: DocState, person: str, word: Word) -> None:
        b_start, b_end = word.brackets[0]
        inner_words = split_words(doc, b_start, b_end)
        if len(inner_words) >= 2:
            title = self._title_at(inner_words, len(inner_words) - 1)
            org_w = inner_words[-2]
            if title and self.is_org(org_w.core):
                org = self._org(doc, state, org_w, "genre.bracketed-post")
                self._unit_mention(state, title[0], inner_words[-1])
                self._holds(doc, state, person, org, title[0], word.start, word.end, "genre.bracketed-post")
        elif len(inner_words) == 1:
            title = self._title_at(inner_words, 0)
            if title and title[0].unit:
                self._unit_mention(state, title[0], inner_words[0])
                ev = evidence(doc, word.start, word.end, "genre.bracketed-fused-title")
                state.relations.append(
                    Relation(person, "holdsPosition", title[0].unit, ev, role=title[0].role)
                )

    def _person_at(self, doc: Doc, words: list[Word], i: int) -> tuple[str | None, int]:
        """A person name starting at word i: `이병권`, or `데릭 존슨(Derek Johnson)`."""
        w = words[i]
        if not w.core:
            surface = doc_text(doc)[w.start : w.end]
            if (
                self.cues.is_person_name(surface)
                and self._title_at(words, i + 1)
                and not self.is_org(surface)
                and not inflected(doc, w.start, w.end)
            ):
                return surface, i + 1  # `장허구` read by MeCab as a verb (장허 + 구)
            return None, i
        # foreign names written in Hangul only (`제이 카니 백악관 대변인`): two or three words the
        # NER reads as one person, none of them a title, a body or a lexicon entry, before a
        # body and a title
        for span in (3, 2):
            group = words[i : i + span]
            if (
                len(group) == span
                and not any(g.particle or g.brackets or g.lead_bracket for g in group)
                and all(re.fullmatch(r"[가-힣]{1,6}", g.core) for g in group)
                and (group[0].core_start, group[-1].core_end) in ner_person_spans(doc)
                and not any(
                    self.read_title(g.core)
                    or self.is_org(g.core)
                    or self.cues.lexicon.lookup(g.core)
                    or self.cues.is_title_modifier(g.core)
                    for g in group
                )
                and i + span + 1 < len(words)
                and self.is_org(words[i + span].core)
                and self._title_at(words, i + span + 1) is not None
            ):
                self._mention(
                    doc._.kg,
                    " ".join(g.core for g in group),
                    "Person",
                    group[0].core_start,
                    group[-1].core_end,
                    FOREIGN_NAME,
                )
                return " ".join(g.core for g in group), i + span
        if self.is_person_word(doc, w) and particle_role(w.particle) == "none":
            return w.core, i + 1
        # MeCab splits unseen names oddly (여모의 → 여모 + 의): before a title, read the whole word
        whole = self._korean_name(doc, w)
        if whole is not None and whole != w.core:
            nxt = self._title_at(words, i + 1) or (
                self._title_at(words, i + 2) if i + 2 < len(words) else None
            )
            if nxt is not None and (
                nxt[0].role not in self.cues.ambiguous_titles
                or (nxt[0].heads_body and self.cues.lexicon.lookup(nxt[0].unit or "") is not None)
            ):
                # not `연계한 현지 시장` (a verb before a market); `허성곤 김해시장` heads a known body
                return whole, i + 1
        # foreign names: 1–3 Hangul words, the last carrying a Latin bracket
        for span in (2, 3, 1):
            if i + span > len(words):
                continue
            group = words[i : i + span]
            last = group[-1]
            if not last.brackets or any(g.brackets for g in group[:-1]):
                continue
            latin = doc_text(doc)[last.brackets[0][0] : last.brackets[0][1]]
            if not re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z.\-]+){1,3}", latin):
                continue
            if not all(re.fullmatch(r"[가-힣]{1,6}", g.core) for g in group):
                continue
            name = " ".join(g.core for g in group)
            if self.is_org(name) or self.read_title(name):
                continue
            state: DocState = doc._.kg
            state.aliases.append(
                AliasFact(
                    name,
                    latin,
                    "english",
                    evidence(doc, group[0].start, last.end, "genre.foreign-name"),
                    "Person",
                )
            )
            return name, i + span
        return None, i
