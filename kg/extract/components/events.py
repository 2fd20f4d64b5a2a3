"""Events, who took part and when; new bodies and when they were founded; agreements.

- dates: every date expression, resolved against the post's publication date;
- events: quoted or headed names (`< 소공인 현장 방문 및 간담회 개요 >`), or a noun phrase
  before an event verb (`투자유치 설명회(IR)를 개최`); the date is the sentence's, else
  the summary box's `일시 :` line;
- participants: the subjects of a sentence with an event verb and a date, people holding
  a title named in it (not those in an apposition bracket), and `참석자 :` items;
- creation: `‘X’을 12월 1일 신설` → X foundedOn, and X subOrganizationOf the subject;
- agreements: subjects (and `와/과` partners) of a sentence with 업무협약/MOU/협약 체결.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.clauses import (
    agreement_parties,
    in_bracket,
    mention_of_word,
    partners,
    subject_groups,
    subjects,
)
from kg.extract.cues import load_cues
from kg.extract.rules import rulebook
from kg.extract.state import AliasFact, DocState, EventFact, doc_text, ensure_extensions, evidence
from kg.extract.state import mention as make_mention
from kg.extract.words import particle_role, split_words
from kg.model import Mention, Relation
from kg.text.dates import find_dates

LIST_GAP = re.compile(
    r"\s*(?:\([^()]*\))?\s*(?:[,，·ㆍ/▲△▶▷■□○●◆◇•\-]|및|와|과|그리고)\s*[▲△▶▷■□○●◆◇•\-]?\s*"
)  # between two listed bodies
STRONG_MENTION = 0.8  # mentions from rules this often right name a body present at a gathering
KEPT_MENTION = 0.6  # the precision floor a mention needs to count in a summary box
HEADING = re.compile(
    r"^[\s<〈《【\[□■○◆◇▶]*(?P<x>[^<>〈〉《》【】\[\]\n]{3,50}?)\s*(?:개요|계획|일정|안내)?\s*[>〉》】\]]\s*$"
)
NUMBERED_HEADING = re.compile(
    r"^\s*(?:\d{1,2}|[가-하])\s*[.)]\s*(?P<x>[^\n:：.]{3,40}?)\s*$"
)  # `3. 온라인 사업설명회`
RANGE_END = re.compile(r"\s*(?:\([^)]{1,4}\))?\s*까지")
ATTENDANCE = re.compile(r"(?:참석|참가|참여|함께\s*|자리\s*|배석)(?:했|하였|한다|합니다|해|한\s)")
SAME_OCCASION = re.compile(r"^\W*(?:이어|이어서)\s|(?:이날|같은\s*날|당일)\s")
SCOPE = re.compile(r"(?P<w>[가-힣]{2,12}?)(?:에서는|에서|에는|엔|에)\s")
PRESENTED = re.compile(r"(?:발표|설명|소개|공유|시연|보고|제안|건의)(?:했|하고|하였|해)")
SPEECH = re.compile(
    r"(?:말했|밝혔|강조했|건의했|답했|설명했|제안했|요청했|발표했|소개했|당부했|덧붙였|전했)다"
)
SEAT = re.compile(r"(?P<place>(?:[가-힣]+\s+){0,3}[가-힣]+?)\s*(?:에\s*있는|에\s*위치한|소재(?:의|한)?)\s+")
FIELD_DATE = re.compile(r"^[\s▪■□○•◦\-*ㅇ·]*(?:일\s*시|일\s*자|기\s*간|날\s*짜)\s*[:：]\s*(?P<v>.+)$")
FIELD_PLACE = re.compile(r"^[\s▪■□○•◦\-*ㅇ·]*(?:장\s*소|위\s*치)\s*[:：]\s*(?P<v>.+)$")
FIELD_PEOPLE = re.compile(
    r"^[\s▪■□○•◦\-*ㅇ·]*(?:참\s*석\s*자?|참\s*가\s*자|참\s*여\s*자?)\s*[:：]\s*(?P<v>.+)$"
)


@Language.factory("kg_events", assigns=["doc._.kg"], requires=["doc._.kg"])
def make_events(nlp: Language, name: str) -> EventRules:
    ensure_extensions()
    return EventRules()


class EventRules:
    def __init__(self) -> None:
        self.cues = load_cues()
        self.event_verb = re.compile(
            "|".join(map(re.escape, sorted(self.cues.event_verbs, key=len, reverse=True)))
        )
        # `간담회를 했다`, `오찬회동을 하였다`: a gathering word as the object of 하다
        self._held_plainly = rulebook()["events.subject-of-dated-event"].regex("held_plainly")

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        state.dates = find_dates(doc_text(doc), state.published)
        summary_date, summary_place, summary_people = self._summary_box(doc, state)
        self._named_events(doc, state, summary_date, summary_place)
        main: EventFact | None = None
        for k, sent in enumerate(state.sentences):
            reported = self._participation(doc, state, sent, summary_date, main)
            if reported is None:
                self._speaker_at_gathering(doc, state, sent, main)
            self._own_meeting(doc, state, sent)
            if main is None and reported is not None and reported.date is not None:
                main = reported
                self._gathering(doc, state, main, state.sentences[k + 1 :])
            self._creation(doc, state, sent)
            self._agreements(doc, state, sent)
        if main is None:
            # no sentence reported a gathering with its date (`최 위원장은 16일 … 밝혔다`): the
            # first dated sentence that names a gathering or speaks of one sets the occasion
            for k, (s, e) in enumerate(state.sentences):
                clause = doc_text(doc)[s:e]
                hit = next(
                    (
                        (d, ds, de)
                        for ds, de, d in state.dates
                        if s <= ds < e and not self._reporting_date(clause, ds - s, de - s)
                    ),
                    None,
                )
                if hit and (SPEECH.search(clause) or any(self.cues.event_kind(w) for w in clause.split())):
                    occasion = EventFact(
                        None, "other", s, e, evidence(doc, s, e, "events.dated-occasion"), hit[0]
                    )
                    self._gathering(doc, state, occasion, state.sentences[k + 1 :])
                    break
        if summary_people and summary_date:
            self._box_participants(doc, state, summary_people, summary_date)
        self._seats(doc, state)
        return doc

    def _seats(self, doc: Doc, state: DocState) -> None:
        """`대구 북구에 있는 대구창조경제혁신센터`, `서울 중구 소재 X`: where a body is."""
        text = doc_text(doc)
        for m in SEAT.finditer(text):
            words = m.group("place").split()
            flags = [self._admin_word(w) for w in words]
            if not any(flags) and "위치" in m.group(0) and re.fullmatch(r"[가-힣]{2,6}", words[-1]):
                flags[-1] = True  # `판교에 위치한 …`: the construction says it is a place
            if not any(flags):
                continue
            # the run of administrative words that ends with the last of them:
            # `21일 대구 북구` → 대구 북구, `부산 남구 문현금융단지` → 부산 남구
            last = max(i for i, f in enumerate(flags) if f)
            first = last
            while first > 0 and flags[first - 1]:
                first -= 1
            admin = words[first : last + 1]
            place = " ".join(admin)
            start = m.start("place") + m.group("place").find(admin[0])
            org = next(
                (
                    x
                    for x in sorted(state.mentions, key=lambda x: (x.start, x.start - x.end))
                    if x.type == "Organization"
                    and m.end() <= x.start <= m.end() + 12
                    and re.fullmatch(r"[^\S\n]*(?:[㈜㈔]|\([주사재]\)|\S+[^\S\n]+)?", text[m.end() : x.start])
                ),
                None,
            )
            if org is not None:
                # `근로복지공단 전주지사`: the unit written after its parent is what is there
                org = next(
                    (
                        u
                        for u in state.mentions
                        if u.type == "Organization"
                        and u.subtype == "unit"
                        and org.end < u.start <= org.end + 1
                        and text[org.end : u.start].strip() == ""
                    ),
                    org,
                )
            elif re.match(r"[^.\n]{0,20}?(?:으로|로서|이다|입니다)", text[m.end() : m.end() + 30]):
                # `관광기업지원센터는 서울 중구에 있는 관광 창업 거점으로`: the subject is there
                sent = state.sentence_at(start)
                org = next(
                    (x for x in subjects(doc, state, sent[0], start) if x.type == "Organization"), None
                )
            if org is None:
                continue
            state.add_mention(make_mention(place, "Place", start, start + len(place), "events.seat"))
            ev = evidence(doc, start, org.end, "events.seat")
            state.relations.append(Relation(org.text, "locatedIn", place, ev))

    def _admin_word(self, word: str) -> bool:
        entry = self.cues.lexicon.lookup(word)
        if entry is not None and entry.type == "Place":
            return True
        return (
            len(word) >= 2
            and word.endswith(("시", "군", "구", "동", "읍", "면"))
            and word not in ("도시", "지구")
        )

    # -- dates ------------------------------------------------------------------------

    def _date_in(self, state: DocState, start: int, end: int) -> tuple[date, int, int] | None:
        for s, e, d in state.dates:
            if start <= s < end:
                return d, s, e
        return None

    def _event_date(self, state: DocState, s: int, e: int, clause: str) -> tuple[date, int, int] | None:
        """The date of what the sentence reports: the last date before its first event verb
        (`‘TF’를 16일 신설하고, 19일 첫 회의를 열었다` → the 19th), else its first date."""
        # the end of a range (`19일(화)부터 20일(수)까지`, `5.1.~5.31.`) is not when it began
        dates = [
            (ds, de, d)
            for ds, de, d in state.dates
            if s <= ds < e
            and not RANGE_END.match(clause, de - s)
            and not re.search(r"[~∼]\s*$", clause[: ds - s])
            and not self._reporting_date(clause, ds - s, de - s)
        ]
        if state.published is not None:
            # `오늘`, `금일`: the publication day
            today = rulebook()["events.speaker-at-dated-gathering"].regex("today")
            dates += [(s + m.start(), s + m.end(), state.published) for m in today.finditer(clause)]
            dates.sort(key=lambda x: x[0])
        verbs = [s + m.start() for m in self.event_verb.finditer(clause)]
        for at in verbs:
            before = [x for x in dates if x[1] <= at]
            if before:
                ds, de, d = before[-1]
                return d, ds, de
        return (dates[0][2], dates[0][0], dates[0][1]) if dates else None

    def _reporting_date(self, clause: str, ds: int, de: int) -> bool:
        """`…를 체결했다고 28일 밝혔다`: the day the news is told, not the day of the gathering."""
        rule = rulebook()["events.subject-of-dated-event"]
        return bool(
            rule.regex("told_before").search(clause, 0, ds) and rule.regex("told_after").match(clause, de)
        )

    def _summary_box(
        self, doc: Doc, state: DocState
    ) -> tuple[date | None, tuple[int, int] | None, tuple[int, int] | None]:
        when: date | None = None
        where: tuple[int, int] | None = None
        people: tuple[int, int] | None = None
        for s, e in state.sentences:
            line = doc_text(doc)[s:e]
            m = FIELD_DATE.match(line)
            if m and when is None:
                hit = self._date_in(state, s + m.start("v"), e)
                if hit:
                    when = hit[0]
            m = FIELD_PLACE.match(line)
            if m and where is None:
                where = (s + m.start("v"), e)
            m = FIELD_PEOPLE.match(line)
            if m and people is None:
                people = (s + m.start("v"), e)
                # the list often wraps onto the next line
                nxt = [sp for sp in state.sentences if sp[0] >= e]
                if (
                    nxt
                    and not FIELD_DATE.match(doc_text(doc)[nxt[0][0] : nxt[0][1]])
                    and ":" not in doc_text(doc)[nxt[0][0] : nxt[0][1]]
                ) and re.search(r"(?:장|대표|회장|등)\s*$", doc_text(doc)[nxt[0][0] : nxt[0][1]]):
                    people = (people[0], nxt[0][1])
        return when, where, people

    # -- events -----------------------------------------------------------------------

    def _add_event(
        self,
        doc: Doc,
        state: DocState,
        name: str | None,
        kind: str,
        s: int,
        e: int,
        when: date | None,
        rule: str,
        mention: bool = True,
    ) -> EventFact:
        for ev in state.events:
            if name and ev.name == name:
                if ev.date is None:
                    ev.date = when
                return ev
        fact = EventFact(name, kind, s, e, evidence(doc, s, e, rule), when)
        state.events.append(fact)
        if name and mention:
            state.add_mention(make_mention(name, "Event", s, e, rule, kind))
        return fact

    def _named_events(
        self, doc: Doc, state: DocState, box_date: date | None, box_place: tuple[int, int] | None
    ) -> None:
        # quoted names the program component classified as events
        for m in [m for m in state.mentions if m.type == "Event"]:
            sent = state.sentence_at(m.start)
            hit = self._date_in(state, *sent)
            self._add_event(
                doc,
                state,
                m.text,
                m.subtype or "other",
                m.start,
                m.end,
                hit[0] if hit else box_date,
                m.rule,
                mention=False,
            )
        # headings: `< 소공인 현장 방문 및 간담회 개요 >`
        for s, e in state.sentences:
            heading = HEADING.match(doc_text(doc)[s:e]) or NUMBERED_HEADING.match(doc_text(doc)[s:e])
            if not heading:
                continue
            name = heading.group("x").strip()
            kind = self.cues.event_kind(name)
            if kind is None or len(name) < 4:
                continue
            ns = s + heading.start("x")
            self._add_event(doc, state, name, kind, ns, ns + len(name), box_date, "events.heading")
        # `투자유치 설명회(IR)를 개최했다`
        for s, e in state.sentences:
            words = split_words(doc, s, e)
            for k, w in enumerate(words):
                if not w.core or particle_role(w.particle) != "object" or k + 1 >= len(words):
                    continue
                verb = doc_text(doc)[words[k + 1].start : words[k + 1].end]  # 열고 has no noun core
                if not verb.startswith(
                    ("개최", "열", "진행", "가졌", "가진", "마련", "실시", "주최", "주관")
                ):
                    continue
                kind = self.cues.event_kind(w.core)
                if kind is None or (w.start, w.core_end) in state.anchors:
                    continue
                first = k
                while (
                    first > 0
                    and words[first - 1].core
                    and not words[first - 1].particle
                    and not words[first - 1].brackets
                    and not self._is_date_word(state, words[first - 1])
                    and re.fullmatch(r"[가-힣A-Za-z0-9·]+", words[first - 1].core)
                    and k - first < 3
                ):
                    first -= 1
                name_start = words[first].core_start
                if first == k:
                    quoted = self._quoted_before(doc, state, w.core_start)
                    if quoted is None:
                        continue  # a bare `간담회` is not a name
                    # `‘딥테크 액셀러레이팅 프로그램 3기’ 데모데이를 열었다`
                    name_start = quoted.start
                text = doc_text(doc)
                name = re.sub(r"[’'\"”」｣』》〉>]", "", text[name_start : w.core_end])
                name = " ".join(name.split())
                hit = self._event_date(state, s, e, text[s:e])
                fact = self._add_event(
                    doc,
                    state,
                    name,
                    kind,
                    name_start,
                    w.core_end,
                    hit[0] if hit else box_date,
                    "events.object-of-event-verb",
                )
                if w.brackets:
                    alias = doc_text(doc)[w.brackets[0][0] : w.brackets[0][1]].strip()
                    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 &\-]{0,20}", alias):
                        state.aliases.append(AliasFact(name, alias, "abbr", fact.evidence, "Event"))
        self._attributive_events(doc, state, box_date)
        # places: `정부서울청사에서 ｢…회의｣를 개최`, `장소 : …`
        for ev in state.events:
            if not ev.name:
                continue
            sent = state.sentence_at(ev.start)
            for w in split_words(doc, sent[0], sent[1]):
                if particle_role(w.particle) == "place" and w.particle == "에서" and w.core_end <= ev.start:
                    place = self._place(doc, state, w.core, w.core_start)
                    if place:
                        ev.place = place
            if ev.place is None and box_place is not None:
                first_item = re.split(r"\s*[/,]\s*", doc_text(doc)[box_place[0] : box_place[1]].strip())[0]
                place = self._place(doc, state, first_item, box_place[0])
                if place:
                    ev.place = place

    def _attributive_events(self, doc: Doc, state: DocState, box_date: date | None) -> None:
        """`25일 열린 국무회의에서`, `11월 열리는 글로벌 스타트업 페스티벌에`: a run of bare nouns
        ending in a gathering word, right after a verb that says it was or will be held."""
        rule = rulebook()["events.attributive-event"]
        held = rule.regex("held")
        text = doc_text(doc)
        for s, e in state.sentences:
            for verb in held.finditer(text, s, e):
                words = split_words(doc, verb.end(), e)
                run = []
                for w in words[:4]:
                    if not w.core or w.brackets or not re.fullmatch(r"[가-힣A-Za-z0-9·]+", w.core):
                        break
                    run.append(w)
                    if w.particle:
                        break
                while run and run[0].core in self.cues.program_determiners:
                    run = run[1:]  # `이번 업무협약 체결식`: the determiner is not part of the name
                if not run or (run[-1].core_start, run[-1].core_end) in state.anchors:
                    continue
                last = run[-1]
                kind = self.cues.event_kind(last.core)
                if kind is None or last.core in self.cues.org_stopwords:
                    continue
                name = " ".join(text[run[0].core_start : last.core_end].split())
                if len(name.replace(" ", "")) < 4 or self.cues.event_kind(name) is None:
                    continue
                hit = self._event_date(state, s, e, text[s:e])
                self._add_event(
                    doc,
                    state,
                    name,
                    kind,
                    run[0].core_start,
                    last.core_end,
                    hit[0] if hit else box_date,
                    rule.id,
                )

    def _quoted_before(self, doc: Doc, state: DocState, pos: int) -> Mention | None:
        """The quoted name that ends right before `pos` (`‘P’ 데모데이`)."""
        text = doc_text(doc)
        before = text[:pos].rstrip()
        if not before or before[-1] not in "’'\"”」｣』》〉>":
            return None
        return next(
            (m for m in state.mentions if m.end == len(before) - 1 and m.type in ("Program", "Organization")),
            None,
        )

    def _place(self, doc: Doc, state: DocState, text: str, start: int) -> str | None:
        entry = self.cues.lexicon.lookup(text)
        if entry is not None and entry.type == "Place":
            return entry.name
        if (
            text.endswith(tuple(s for s in self.cues.place_suffixes if len(s) >= 2))
            and len(text) >= 3
            and not self.cues.org_subtype_by_suffix(text)
        ):
            state.add_mention(make_mention(text, "Place", start, start + len(text), "events.place-by-suffix"))
            return text
        return None

    def _is_date_word(self, state: DocState, word: object) -> bool:
        ws = getattr(word, "core_start", -1)
        return any(s <= ws < e for s, e, _ in state.dates)

    # -- participation ---------------------------------------------------------------

    def _participation(
        self,
        doc: Doc,
        state: DocState,
        sent: tuple[int, int],
        box_date: date | None,
        main: EventFact | None = None,
    ) -> EventFact | None:
        """Participants of the event a sentence reports; returns that event (or None).

        A sentence with no date of its own that says it happened on the same occasion
        (`이어 …`, `같은 날 …`, `이날 …`) takes the date of the post's main event."""
        s, e = sent
        clause = doc_text(doc)[s:e]
        if not any(self._reports_gathering(clause, v) for v in self.event_verb.finditer(clause)) and not any(
            self.cues.event_kind(m.group("w")) for m in self._held_plainly.finditer(clause)
        ):
            return None
        hit = self._event_date(state, s, e, clause)
        event = next((ev for ev in state.events if s <= ev.start < e), None)
        when = hit[0] if hit else (event.date if event and event.date else None)
        if (
            when is None
            and box_date is not None
            and any(v in clause for v in ("방문", "찾아", "간담회", "면담"))
        ):
            when = box_date
        follow_up = (
            when is None and main is not None and main.date is not None and SAME_OCCASION.search(clause)
        )
        if follow_up and main is not None:
            when = main.date
            event = event or main
        if when is None:
            return None
        groups = subject_groups(doc, state, s, e)
        parts: list[tuple[Mention, str]] = [
            (m, "events.subject-of-dated-event") for g in groups for m in g if not self._teller(doc, m, s)
        ]
        parts += [
            (m, "events.partner-in-dated-event")
            for m in partners(doc, state, s, e)
            if self._joined_the_action(doc, m, e)
        ]
        # a follow-up sentence tells who was there, it does not introduce bodies:
        # `이어 … 대전창조경제혁신센터(윤보라 센터장)와 함께` counts the person in the bracket
        parts += [
            (m, "events.titled-person-in-dated-event")
            for m in self._titled_people(doc, state, sent, bracketed=bool(follow_up))
        ]
        parts += [(m, "events.visited-body") for m in self._visited(doc, state, s, e)]
        parts += [(m, "events.met-with") for m in self._met_with(doc, state, s, e)]
        if any(v in clause for v in self.cues.meeting_verbs):
            parts += [
                (m, "events.body-at-meeting")
                for m in state.mentions
                if m.type == "Organization" and s <= m.start < e and not in_bracket(doc, m.start, m.end, sent)
            ]
        if event is None:
            event = self._event_on(state, when)
        self._attend(doc, state, parts, when, event, (s, e))
        if event is not None and event.date is None:
            event.date = when
        return event or EventFact(
            None, "other", s, e, evidence(doc, s, e, "events.subject-of-dated-event"), when
        )

    def _speaker_at_gathering(
        self, doc: Doc, state: DocState, sent: tuple[int, int], main: EventFact | None
    ) -> None:
        """`A 대표는 19일 원내 대책회의에서 “…”라고 했다`: a sentence with no event verb that
        places a subject at a dated gathering and reports what was said there. The subject is
        the last one before the gathering (else the first after it), the date the last one
        written before it (`오늘`, `금일`: the publication day; `이날`: the main occasion's)."""
        s, e = sent
        text = doc_text(doc)
        rule = rulebook()["events.speaker-at-dated-gathering"]
        if not rule.regex("said").search(text, s, e):
            return
        at = next(
            (
                m
                for m in rule.regex("at_gathering").finditer(text, s, e)
                if self.cues.event_kind(m.group("w")) or self._gathering_venue(m.group("w"))
            ),
            None,
        )
        if at is None:
            return
        written: list[tuple[int, date]] = [
            (ds, d) for ds, de, d in state.dates if s <= ds < at.start() and not RANGE_END.match(text, de)
        ]
        if state.published is not None:
            written += [
                (m.start(), state.published) for m in rule.regex("today").finditer(text, s, at.start())
            ]
        if main is not None and main.date is not None:
            written += [(m.start(), main.date) for m in rule.regex("same_day").finditer(text, s, at.start())]
        if not written:
            return
        when = max(written, key=lambda x: x[0])[1]
        groups = subject_groups(doc, state, s, at.start()) or subject_groups(doc, state, at.end(), e)[:1]
        if not groups:
            return
        group = groups[-1] if groups[-1][0].start < at.start() else groups[0]
        parts = [(m, rule.id) for m in group if m.type in ("Person", "Organization")]
        event = next((ev for ev in state.events if s <= ev.start < e), None) or self._event_on(state, when)
        self._attend(doc, state, parts, when, event, sent)

    def _own_meeting(self, doc: Doc, state: DocState, sent: tuple[int, int]) -> None:
        """`녹색 기후 기금(GCF) 제2차 이사회에서`, `국회 국방위 전체 회의에서`: a body whose own
        meeting a dated sentence names met on that date."""
        s, e = sent
        text = doc_text(doc)
        rule = rulebook()["events.body-of-own-meeting"]
        meeting = rule.regex("own_meeting")
        dates = [(ds, d) for ds, de, d in state.dates if s <= ds < e and not RANGE_END.match(text, de)]
        if not dates:
            return
        for m in state.mentions:
            if m.type != "Organization" or not s <= m.start < e:
                continue
            hit = meeting.match(text[m.end : e])
            if hit is None:
                continue
            at = m.end + hit.end()
            before = [d for ds, d in dates if ds < m.start]
            after = [d for ds, d in dates if ds >= at]
            when = before[-1] if before else after[0] if after else None
            if when is None:
                continue
            event = next((ev for ev in state.events if s <= ev.start < e), None) or self._event_on(
                state, when
            )
            self._attend(doc, state, [(m, rule.id)], when, event, sent)

    def _gathering_venue(self, word: str) -> bool:
        """`기자회견장`, `본회의장`: the room of a gathering stands for the gathering."""
        venue = rulebook()["events.speaker-at-dated-gathering"].regex("venue").search(word)
        return venue is not None and bool(self.cues.event_kind(word[: venue.start()]))

    def _teller(self, doc: Doc, m: Mention, s: int) -> bool:
        """`…유치하기로 결정되었다고 X가 발표하였다`: the body that tells the news after what it
        tells is not a party to it."""
        rule = rulebook()["events.subject-of-dated-event"]
        text = doc_text(doc)
        return bool(
            rule.regex("teller_before").search(text, s, m.start)
            and rule.regex("teller_after").match(text, m.end)
        )

    def _reports_gathering(self, clause: str, verb: re.Match[str]) -> bool:
        """An event verb reports a gathering; a generic one (`진행`, `실시`) not when it carries
        out a survey, a vote, a call or a scheme (`설문조사를 실시한 결과`, `통화를 진행했다`)
        or is under way (`대선 진행 중에`)."""
        rule = rulebook()["events.subject-of-dated-event"]
        if not rule.regex("generic_verb").fullmatch(verb.group()):
            return True
        before = clause[: verb.start()].split()[-1:]
        after = clause[verb.end() :].split()[1:2]  # `실시한 조사에서`
        if any(rule.regex("not_gathering").match(w) for w in before + after):
            return False
        return not rule.regex("under_way").match(clause, verb.end())

    def _visited(self, doc: Doc, state: DocState, s: int, e: int) -> list[Mention]:
        """`장관은 6일 X를 찾아`, `차관이 14일 X를 방문하여`: the body visited hosts the visit."""
        visit = rulebook()["events.visited-body"].regex("visit")
        words = split_words(doc, s, e)
        out = []
        for k, (w, nxt) in enumerate(pairwise(words)):
            if (
                k > 0
                and words[k - 1].particle in ("와", "과")
                and mention_of_word(state, words[k - 1]) is None
            ):
                continue  # `소공인과 소공인특화지원센터를 방문`: those of a kind, not one body
            if w.particle in ("을", "를") and visit.match(doc_text(doc), nxt.start):
                m = mention_of_word(state, w, ("Organization",))
                # the whole word names the body (`충남도농업기술원을`, not its 충남도), with confidence
                if m is not None and m.end == w.core_end and m.confidence >= STRONG_MENTION:
                    out.append(m)
        return out

    def _met_with(self, doc: Doc, state: DocState, s: int, e: int) -> list[Mention]:
        """`A, B 상무부장과 연이어 면담을 갖고`, `C 위원장과 임원진을 만나`, `D협회 운영위원들과
        간담회를 했다`: those a meeting is held with (a `와/과` list right before a meeting word),
        and the guests invited to it (`A 대표와 B 원내대표 등 C 지도부를 … 초청해`)."""
        meeting = rulebook()["events.met-with"].regex("meeting")
        text = doc_text(doc)
        words = split_words(doc, s, e)
        out: list[Mention] = []
        invite = rulebook()["events.met-with"].regex("invite")
        for j, w in enumerate(words):
            role = particle_role(w.particle)
            met = role == "conj" and any(meeting.match(text, x.start) for x in words[j + 1 : j + 4])
            # `A 대표와 B 원내대표 등 C 지도부를 … 초청해`: the guests
            invited = role == "object" and any(invite.match(text, x.start) for x in words[j + 1 : j + 4])
            if not (met or invited):
                continue
            first = j  # back over the list: `A 부장, B 부장과`, `C 위원장과 임원진을` stops at a particle
            while first > 0 and particle_role(words[first - 1].particle) in ("none", "list", "conj"):
                if self._is_date_word(state, words[first - 1]):
                    break
                first -= 1
            for m in state.mentions:
                if (
                    m.type in ("Person", "Organization")
                    and words[first].start <= m.start < w.core_end
                    and m.confidence >= KEPT_MENTION
                    and not in_bracket(doc, m.start, m.end, (s, e))
                    and not (m.type == "Organization" and text[m.end : m.end + 1] == "장")
                ):
                    out.append(m)
        return out

    def _joined_the_action(self, doc: Doc, m: Mention, sentence_end: int) -> bool:
        """`B와 업무협약을 체결`, not `A와 B의 차이`."""
        return not re.match(r"\S*의\s", doc_text(doc)[m.end : m.end + 6])

    def _titled_people(
        self, doc: Doc, state: DocState, sent: tuple[int, int], bracketed: bool = False
    ) -> list[Mention]:
        """People with a title in the sentence, outside apposition brackets unless `bracketed`
        (in a list of those present, `경남창조경제혁신센터(임예제 센터장)` is there in person)."""
        s, e = sent
        titled = {
            r.head for r in state.relations if r.relation == "holdsPosition" and s <= r.evidence.start < e + 1
        }
        return [
            m
            for m in state.mentions
            if m.type == "Person"
            and s <= m.start < e
            and m.text in titled
            and (bracketed or not in_bracket(doc, m.start, m.end, sent))
        ]

    def _event_on(self, state: DocState, when: date) -> EventFact | None:
        named = [ev for ev in state.events if ev.name and ev.date == when]
        return named[0] if len(named) == 1 else None

    def _attend(
        self,
        doc: Doc,
        state: DocState,
        parts: list[tuple[Mention, str]],
        when: date,
        event: EventFact | None,
        span: tuple[int, int],
    ) -> None:
        """Each (mention, rule) took part in the event on `when`; the first rule that names someone counts."""
        text = doc_text(doc)
        seen: set[str] = set()
        for p, rule in parts:
            # the unit of a fused title (`장허구 창업진흥과장이`) is the post, not a party present
            if p.text in seen or (p.type == "Organization" and text[p.end : p.end + 1] == "장"):
                continue
            if rulebook()["events.subject-of-dated-event"].regex("source").match(text, p.end):
                continue  # `X 등 보도에 따르면`, `농식품부에 따르면`: the source of the report
            seen.add(p.text)
            ev = evidence(doc, span[0], span[1], rule)
            state.relations.append(
                Relation(p.text, "participatedIn", when.isoformat(), ev, event=event.name if event else None)
            )
            if event is not None and p.text not in event.participants:
                event.participants.append(p.text)

    def _gathering(
        self, doc: Doc, state: DocState, main: EventFact, sentences: list[tuple[int, int]]
    ) -> None:
        """After a gathering's lead sentence: those listed as attending, and those who spoke there."""
        if main.date is None:
            return
        for s, e in sentences:
            if self._date_in(state, s, e):
                continue  # a sentence with its own date tells of another occasion
            clause = doc_text(doc)[s:e]
            scoped = self._at_the_event(clause)
            caption = rulebook()["events.photo-caption"].regex("caption")
            if caption.search(clause):
                # `왼쪽부터 A 협회장, B 차관 …`: the people a photo of the gathering shows were there
                rule = "events.photo-caption"
                parts = [(m, rule) for m in self._titled_people(doc, state, (s, e), bracketed=True)]
                self._attend(doc, state, parts, main.date, main, (s, e))
            elif ATTENDANCE.search(clause) and (scoped or self._counted_attendees(clause)):
                rule = "events.attendee-after-lead"
                parts = [(m, rule) for m in self._titled_people(doc, state, (s, e), bracketed=True)] + [
                    # every person named there, also with a title the lexicon may not know or
                    # one shared by a list (`이름·이름 정당 국회의원`, `이름·이름 전 장관`)
                    (m, rule)
                    for m in state.mentions
                    if s <= m.start < e
                    and not in_bracket(doc, m.start, m.end, (s, e))
                    and (
                        m.type == "Person"
                        or (
                            m.type == "Organization"
                            and m.confidence >= STRONG_MENTION
                            and m.subtype != "unit"
                        )
                    )
                ]
                self._attend(doc, state, parts, main.date, main, (s, e))
            elif scoped and PRESENTED.search(clause):
                # `이날 워크숍에서는 A 과장이 … 설명했고, B(단장 C)가 … 발표했다`
                rule = "events.presenter-after-lead"
                parts = [(m, rule) for m in self._titled_people(doc, state, (s, e), bracketed=True)] + [
                    (m, rule) for m in subjects(doc, state, s, e) if m.type == "Organization"
                ]
                self._attend(doc, state, parts, main.date, main, (s, e))
            elif re.search(SPEECH, clause):
                speakers = [m for m in subjects(doc, state, s, e) if m.type == "Person"]
                titled = {m.text for m in self._titled_people(doc, state, (s, e))}
                known = {r.head for r in state.relations if r.relation == "holdsPosition"}
                self._attend(
                    doc,
                    state,
                    [
                        (m, "events.speaker-after-lead")
                        for m in speakers
                        if m.text in titled or m.text in known
                    ],
                    main.date,
                    main,
                    (s, e),
                )

    def _counted_attendees(self, clause: str) -> bool:
        """`A 부행장과 B 센터장 등 … 600여명이 참여했다`: a list closed by a head count."""
        return bool(rulebook()["events.attendee-after-lead"].regex("counted").search(clause))

    def _at_the_event(self, clause: str) -> bool:
        """Does the sentence place itself at the gathering (`이날`, `간담회에서는`, `행사에는`)?"""
        if re.search(r"(?:이날|당일|같은\s*날)\s", clause):
            return True
        for m in SCOPE.finditer(clause):
            w = m.group("w")
            if w in ("행사", "현장") or w.endswith("식") or self.cues.event_kind(w):
                return True
        return False

    def _box_participants(self, doc: Doc, state: DocState, span: tuple[int, int], when: date) -> None:
        event = next((ev for ev in state.events if ev.date == when), None)
        ev = evidence(doc, span[0], span[1], "events.summary-box-participant")
        for m in state.mentions:
            if (
                m.type in ("Organization", "Person")
                and span[0] <= m.start < span[1]
                and m.confidence >= KEPT_MENTION
            ):
                state.relations.append(
                    Relation(
                        m.text,
                        "participatedIn",
                        when.isoformat(),
                        ev,
                        event=event.name if event else None,
                    )
                )

    # -- creation and agreements -------------------------------------------------------

    def _creation(self, doc: Doc, state: DocState, sent: tuple[int, int]) -> None:
        s, e = sent
        clause = doc_text(doc)[s:e]
        verb = next((v for v in self.cues.creation_verbs if v in clause), None)
        if verb is None:
            return
        verb_at = s + clause.index(verb)
        if rulebook()["events.creation-date"].regex("attributive").match(doc_text(doc), verb_at + len(verb)):
            return  # `…에 설치된 직통전화`, `…로 구성된 대표팀`: the verb describes something else
        created = [
            m
            for m in state.mentions
            if m.type == "Organization"
            and s <= m.start < verb_at
            and m.subtype in ("taskforce", "center", "unit", None)
            and re.match(r"\s*[’'”」｣』]?\s*(?:을|를|이|가|은|는)?\s*", doc_text(doc)[m.end : m.end + 4])
        ]
        if not created:
            return
        new = max(created, key=lambda m: m.start)
        between = doc_text(doc)[new.end : verb_at]
        if len(between) > 40:
            return
        # the date written with the founding, not the day the news reports it (`개소했다고 25일 밝혔다`)
        hit = self._date_in(state, new.end, verb_at + len(verb)) or self._date_in(state, s, verb_at)
        if hit:
            ev = evidence(doc, new.start, verb_at + len(verb), "events.creation-date")
            state.relations.append(Relation(new.text, "foundedOn", hit[0].isoformat(), ev))
        if verb in ("신설", "구성", "설치", "발족", "출범", "창설"):
            parents = [
                m
                for m in subjects(doc, state, s, e, before=new.start)
                if m.type == "Organization" and m.text != new.text
            ]
            if len(parents) == 1:
                # with several founders the text does not say which one the body belongs to
                ev = evidence(doc, new.start, verb_at + len(verb), "events.creation-parent")
                state.relations.append(Relation(new.text, "subOrganizationOf", parents[0].text, ev))

    def _agreements(self, doc: Doc, state: DocState, sent: tuple[int, int]) -> None:
        """Partners: an agreement's parties, the bodies listed together in a sentence about an
        agreement, and the bodies of one subject group that act jointly (co-host, 손을 잡다)."""
        s, e = sent
        clause = doc_text(doc)[s:e]
        pairs: list[tuple[str, str, str]] = []
        if any(c in clause for c in self.cues.agreement_cues):
            names = [p.text for p in agreement_parties(doc, state, s, e)]
            pairs += [(a, b, "events.agreement-parties") for i, a in enumerate(names) for b in names[i + 1 :]]
            taking_part = rulebook()["events.agreement-list"].regex("taking_part")
            took_part_before = rulebook()["events.agreement-list"].regex("taking_part_before")
            for run, end, begin in self._listed_bodies(doc, state, sent):
                if taking_part.match(doc_text(doc), end, e) or took_part_before.search(
                    doc_text(doc), s, begin
                ):
                    pairs += [
                        (a, b, "events.agreement-list") for i, a in enumerate(run) for b in run[i + 1 :]
                    ]
        joint = any(c in clause for c in self.cues.cooperation_cues) or bool(
            rulebook()["events.joint-subjects"].regex("joint_action").search(clause)
        )
        hosted = any(v in clause for v in self.cues.hosting_verbs) and not self._meeting_of_government(
            state, s, e
        )
        if joint or hosted:
            rule = "events.joint-subjects" if joint else "events.co-hosts"
            for group in subject_groups(doc, state, s, e):
                names = list(dict.fromkeys(m.text for m in group if m.type == "Organization"))
                pairs += [(a, b, rule) for i, a in enumerate(names) for b in names[i + 1 :]]
        for a, b, rule in pairs:
            if a != b:
                state.relations.append(Relation(a, "partnerOf", b, evidence(doc, s, e, rule)))

    def _meeting_of_government(self, state: DocState, s: int, e: int) -> bool:
        """Is the gathering of the sentence a meeting (회의) of government bodies? Ministries that
        hold a ministers' meeting together are not partners."""
        return any(
            m.type == "Event" and s <= m.start < e and (m.subtype == "meeting" and m.text.endswith("회의"))
            for m in state.mentions
        )

    def _listed_bodies(
        self, doc: Doc, state: DocState, sent: tuple[int, int]
    ) -> list[tuple[list[str], int, int]]:
        """Runs of two or more bodies written as one list (`A, B, C 등`, `A·B`, `A 및 B`,
        `▲A ▲B`), outside brackets, each with where it ends and where it begins."""
        text = doc_text(doc)
        orgs = sorted(
            (
                m
                for m in state.mentions
                if m.type == "Organization"
                and sent[0] <= m.start < sent[1]
                and not in_bracket(doc, m.start, m.end, sent)
            ),
            key=lambda m: (m.start, -m.end),
        )
        runs: list[tuple[list[str], int, int]] = []
        run: list[str] = []
        begin = last_end = -1
        for m in orgs:
            if m.start < last_end:
                continue  # a shorter name inside one already taken
            if run and m.subtype == "unit" and not text[last_end : m.start].strip():
                run[-1] = m.text  # `중소벤처기업진흥공단 경기지역본부`: the unit of the body is the party
            elif run and LIST_GAP.fullmatch(text[last_end : m.start]):
                run.append(m.text)
            else:
                if len(set(run)) >= 2:
                    runs.append((list(dict.fromkeys(run)), last_end, begin))
                run, begin = [m.text], m.start
            last_end = m.end
        if len(set(run)) >= 2:
            runs.append((list(dict.fromkeys(run)), last_end, begin))
        return runs
