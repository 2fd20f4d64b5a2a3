"""Named programs, events and new bodies written in quotes, and who operates the programs.

`「2026년 혁신 소상공인 AI 활용지원 사업」`, `‘스포츠산업 융합 특성화 대학원 운영계획’`,
`｢부동산 관계장관회의｣`, `‘소공인성장촉진단’`. A quoted name is a Program when it ends
like one (사업, 프로그램, 패키지, 대책, 지원 …) or carries a cohort (5기, 2026년); an
Event when it ends in an event word; an Organization when it ends like a body.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.clauses import agreement_parties, in_bracket, partners, subject_groups, subjects
from kg.extract.cues import Cues, endings_in, load_cues
from kg.extract.rules import rulebook
from kg.extract.state import AliasFact, DocState, doc_text, ensure_extensions, evidence
from kg.extract.state import mention as make_mention
from kg.extract.words import Word, particle_role, split_words
from kg.model import Mention, Relation

QUOTED = re.compile(
    r"[‘'\"“「｢『《〈<`]\s*(?P<x>[^‘’'\"“”「」｢｣『』《》〈〉<>`\n]{2,60}?)\s*[’'\"”」｣』》〉>`]"
)
# a cohort (`5기`) or a leading year (`2026년 …`); a year alone at the end (`베이징 2022`) is no cohort
COHORT = re.compile(r"\d+\s*기\b|\d+\s*기$|^20\d{2}\s*년?\s*\S")
YEAR_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}\s*년?\s*|제\s*\d+\s*(?:회|차)\s*)")
FIELD_OPERATOR = re.compile(
    r"(?:소관\s*부처|주관\s*기관|사업\s*수행\s*기관|수행\s*기관|운영\s*기관|전담\s*기관|시행\s*기관|주\s*최|주\s*관)\s*[:：]\s*(?P<v>[^|\n]{2,80})"
)
LIST_STOP = re.compile(
    r"(?:은|는|이|가|을|를|의|에|로|으로|에서|와|과|도|하는|한|된|하고|위한|통한|통해)$"
)  # a word before a list's first name
SPEECHY = re.compile(r"(?:다|요|니다|습니다|겠다|하자|라)[.!?]?$")
FOUNDED_AFTER = re.compile(
    r"\s*(?:을|를|이|가|은|는)?\s*(?:[가-힣0-9]+\s+){0,2}?(?:구성|발족|출범|신설|설치|창립)"
)
SHORT_AFTER_QUOTE = re.compile(r"\s*\(\s*이하\s*[‘'\"“「]?(?P<a>[^’'\"”」()]{1,20}?)[’'\"”」]?\s*\)")
NUMBER_WORDS = {"두": 2, "양": 2, "세": 3, "네": 4, "다섯": 5, "2": 2, "3": 3, "4": 4, "5": 5}
OPERATOR_CLAUSE = re.compile(
    r"(?P<x>[^\s,]+?)(?:이|가|에서)\s+(?:함께\s+|공동으로\s+)?(?:지원|주관|운영|시행|추진|주최|수행|총괄|전담)"
    r"(?:하고|하며|하는|한다|하여|해)"
)


def _operated_programs(state: DocState) -> set[str]:
    """The programs an enabled rule has given an operator to (a switched-off rule's facts are dropped)."""
    book = rulebook()
    return {
        r.tail
        for r in state.relations
        if r.relation == "operates" and (not r.evidence.rule or book.enabled(r.evidence.rule))
    }


def classify_quoted(cues: Cues, text: str) -> tuple[str, str | None] | None:
    """(type, subtype or event kind) for a quoted name, or None when it is not a name."""
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", text.strip())  # `설명회(IR)`: the bracket is an alias
    if len(bare) > 45 or SPEECHY.search(bare) or bare.count(" ") > 6:
        return None
    kind = cues.event_kind(bare)
    if kind and not cues.is_program_name(bare):
        return "Event", kind
    subtype = cues.org_subtype_by_suffix(bare)
    if subtype in ("taskforce", "center", "association") and not cues.is_program_name(bare):
        return "Organization", subtype
    if cues.is_program_name(bare) or COHORT.search(bare):
        return "Program", None
    if kind:
        return "Event", kind
    return None


def canonical_program(text: str) -> str:
    """`2026년 혁신 소상공인 AI 활용지원 사업` → `혁신 소상공인 AI 활용지원 사업`."""
    name = YEAR_PREFIX.sub("", text.strip())
    return name if len(name) >= 3 else text.strip()


@Language.factory("kg_programs", assigns=["doc._.kg"], requires=["doc._.kg"])
def make_programs(nlp: Language, name: str) -> ProgramRules:
    ensure_extensions()
    return ProgramRules()


class ProgramRules:
    def __init__(self) -> None:
        self.cues = load_cues()

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        text = doc_text(doc)
        for m in QUOTED.finditer(text):
            inner = m.group("x")
            if re.search(r"[’'\"”」｣』》〉]\s*\(\s*$", text[max(0, m.start() - 4) : m.start()]):
                continue  # `‘코리아 듀티프리 페스타’(「Korea Duty-Free FESTA 2023」)`: an alias
            if re.search(r"이하\s*$", text[max(0, m.start() - 4) : m.start()]):
                continue  # `(이하 ‘딥테크 TF’)`: an alias the genre rules read
            s = m.start("x")
            e = m.end("x")
            # `‘X’ 사업` : the quote names the program, the noun after it says so
            after = text[m.end() : m.end() + 8]
            cls = classify_quoted(self.cues, inner)
            rule = f"programs.quoted-{cls[0].lower()}" if cls else ""
            if cls is None and re.match(r"\s*(?:사업|프로그램|패키지|지원사업)", after):
                cls, rule = ("Program", None), "programs.quoted-before-program-noun"
            if (
                cls is None
                and not SPEECHY.search(inner)
                and inner.count(" ") <= 6
                and (
                    self._attributive_before(
                        text, max(0, m.start() - 40), m.start(), "programs.quoted-run-by-a-body"
                    )
                    or rulebook()["programs.quoted-run-by-a-body"]
                    .regex("run_object")
                    .match(text, m.end(), m.end() + 40)
                )
            ):
                # what bodies are said to run is a program, whatever its name ends with:
                # `중기부와 통계청이 함께 실시하는 '소상공인 실태조사'`, `‘재도전 원스톱 상담’을 … 운영한다`
                cls, rule = ("Program", None), "programs.quoted-run-by-a-body"
            if cls is None and rulebook()["programs.quoted-with-cohort"].regex("cohort").match(
                text, m.end(), m.end() + 12
            ):
                # `‘P(English)’ 4기 청년기업 … 선정`: a name with a cohort after it is a program
                cls, rule = ("Program", None), "programs.quoted-with-cohort"
            apposed = (
                rulebook()["programs.apposed-program"]
                .regex("owner")
                .search(text, max(0, m.start() - 50), m.start())
            )
            if cls is None and apposed is not None and not SPEECHY.search(inner):
                # `A의 스타트업 인큐베이팅 프로그램인 ‘P’`: the name a program noun is apposed to
                cls, rule = ("Program", None), "programs.apposed-program"
            if (
                cls is not None
                and cls[0] == "Organization"
                and rulebook()["programs.quoted-centre-as-program"]
                .regex("program_role")
                .match(text, m.end(), m.end() + 16)
            ):
                # `중기부의 ‘녹색 특화 창업보육센터’ 사업자로 선정`: the centre is the program
                cls, rule = ("Program", None), "programs.quoted-centre-as-program"
            if (cls is None or cls[0] == "Event") and self._agreement_named_program(doc, state, inner, s):
                continue
            if (
                cls is not None
                and cls[0] == "Event"
                and self.cues.org_subtype_by_suffix(inner) == "taskforce"
                and FOUNDED_AFTER.match(text, m.end(), m.end() + 20)
            ):
                # `‘지역 청년창업 협의회’를 구성하고`, `‘… 협의회’ 발족식`: a body being founded
                cls, rule = ("Organization", "taskforce"), "programs.quoted-body-founded"
            if cls is None:
                continue
            type_, sub = cls
            name = inner.strip()
            # `‘… 협의체(위원장: 복지부 차관)’`: an aside with a colon is no part of the name
            name = re.sub(r"\s*\([^()]*[:：][^()]*\)$", "", name) or name
            inner_abbr = re.search(r"\s*\(\s*(?P<a>[A-Za-z][A-Za-z0-9&\-]{1,12})\s*\)", name)
            if inner_abbr:
                # `‘민간투자주도형 기술창업지원(TIPS) 프로그램’`: the bracket is an abbreviation
                name = " ".join((name[: inner_abbr.start()] + " " + name[inner_abbr.end() :]).split())
                state.aliases.append(
                    AliasFact(
                        name,
                        inner_abbr.group("a"),
                        "abbr",
                        evidence(doc, s, e, "programs.inner-abbreviation"),
                        type_,
                    )
                )
            inner_english = re.search(r"\s*\(\s*(?P<en>[A-Za-z][A-Za-z0-9&\-.' ]{1,40}?)\s*\)$", name)
            if inner_abbr is None and inner_english and name[: inner_english.start()].strip():
                # `‘퍼스트 펭귄(First Penguin)’`: an English name written after the Korean one
                name = name[: inner_english.start()].strip()
                ev = evidence(doc, s, e, "programs.inner-english-name")
                state.aliases.append(AliasFact(name, inner_english.group("en"), "english", ev, type_))
            if (
                type_ == "Organization"
                and sub == "center"
                and re.match(r"[’'\"”」｣』》〉]?\s*(?:을|를)\s*(?:\S+\s+){0,3}?운영", text[e : e + 30])
            ):
                # `‘스타트업 원스톱 지원센터’를 … 운영합니다`: a service the body runs
                type_, sub, rule = "Program", None, "programs.quoted-centre-run-as-service"
            if type_ == "Program":
                # `‘… 육성 지원사업(산학협력형)’`: a Korean qualifier in brackets names a track, not the program
                name = re.sub(r"\s*\([가-힣·\s]{2,12}\)$", "", name) or name
                canonical = canonical_program(name)
                if canonical != name:
                    state.aliases.append(
                        AliasFact(
                            canonical,
                            name,
                            "variant",
                            evidence(doc, s, e, "programs.year-variant"),
                            "Program",
                        )
                    )
                name = canonical
            mention = make_mention(name, type_, s, e, rule, sub)
            state.add_mention(mention)
            state.anchors[(s, e)] = type_
            ceremony = re.match(r"\s*(?P<w>[가-힣]{1,4}식)", text[m.end() : m.end() + 12])
            if type_ == "Organization" and ceremony and self.cues.event_kind(ceremony.group("w")) == "launch":
                # `‘AI 바우처 공급기업 협의회’ 발족식`: the body, and the event that launched it
                event_name = f"{name} {ceremony.group('w')}"
                state.add_mention(
                    make_mention(
                        event_name, "Event", s, m.end() + ceremony.end(), "programs.launch-ceremony", "launch"
                    )
                )
            self._english_alias(doc, state, mention, m.end())
            short = SHORT_AFTER_QUOTE.match(text, m.end(), m.end() + 40)
            if short:
                # `‘딥테크 스타트업 육성 전담반(TF)’(이하 ‘딥테크 TF’)`
                ev = evidence(doc, s, m.end() + short.end(), "programs.short-name-after-quote")
                state.aliases.append(AliasFact(name, short.group("a").strip(), "short", ev, type_))
        self.suffixed_names(doc, state)
        self.listed_names(doc, state)
        self.listed_program_names(doc, state)
        programs = sorted((m for m in state.mentions if m.type == "Program"), key=lambda m: m.start)
        for k, mention in enumerate(programs):
            prev = programs[k - 1] if k else None
            if prev is not None and re.fullmatch(
                r"\s*[’'\"”」｣』》〉>]?\s*(?:과|와|및|,)\s*[‘'\"“「｢『《〈<]?\s*",
                text[prev.end : mention.start],
            ):
                # `‘A 사업’과 ‘B 사업’`: the same operators run both
                for rel in [r for r in state.relations if r.relation == "operates" and r.tail == prev.text]:
                    ev = evidence(doc, prev.start, mention.end, "programs.coordinated-program")
                    state.relations.append(Relation(rel.head, "operates", mention.text, ev))
                continue
            self._operators(doc, state, mention)
            self._selected_hosts(doc, state, mention)
        self.definitions(doc, state)
        self.lead_body_operates(doc, state)
        self.topic_program_hosts(doc, state)
        return doc

    def lead_body_operates(self, doc: Doc, state: DocState) -> None:
        """A program no sentence gives an operator to is run by the body the post is about (the
        one subject of its lead sentence), when the program's sentence names no other body."""
        rule = "programs.lead-body-operator"
        run = _operated_programs(state)
        programs = [m for m in state.mentions if m.type == "Program" and m.text not in run]
        if not programs:
            return
        lead = {m.text for m in self._lead_bodies(doc, state)}
        if len(lead) != 1:
            return  # several bodies share the lead: which one runs the program is not said
        topics = self._topic_programs(doc, state)
        for program in programs:
            s, e = state.sentence_at(program.start)
            if program.text not in topics:
                continue  # not named in the headline or the lead: not what the post is about
            if {m.text for m in state.mentions_in(s, e, ("Organization",))} - lead:
                continue  # another body is named beside the program: it may be the one running it
            if re.search(r"[“\"][^”\"]*$", doc_text(doc)[s : program.start]):
                continue  # `“… P 등 엉터리 정책 …”`: a speaker's words about it, not the body running it
            ev = evidence(doc, program.start, program.end, rule)
            state.relations.append(Relation(next(iter(lead)), "operates", program.text, ev))

    def _topic_programs(self, doc: Doc, state: DocState) -> set[str]:
        """The programs the headline or the lead sentence names."""
        top = state.sentences[1][1] if len(state.sentences) > 1 else len(doc_text(doc))
        return {m.text for m in state.mentions if m.type == "Program" and m.start < top}

    def topic_program_hosts(self, doc: Doc, state: DocState) -> None:
        """`A는 B와 함께 충청권 주관대학으로 선정됐다`, in a sentence that names no program: the
        bodies selected run the one program the post is about."""
        rule = rulebook()["programs.topic-program-hosts"]
        topics = self._topic_programs(doc, state)
        if len(topics) != 1:
            return
        program = next(iter(topics))
        text = doc_text(doc)
        for s, e in state.sentences:
            if not rule.regex("selected").search(text, s, e) or state.mentions_in(s, e, ("Program",)):
                continue
            hosts = [m for m in subjects(doc, state, s, e) if m.type == "Organization"]
            hosts += [m for m in partners(doc, state, s, e) if m not in hosts]
            ev = evidence(doc, s, e, rule.id)
            for host in hosts:
                state.relations.append(Relation(host.text, "operates", program, ev))

    def _lead_bodies(self, doc: Doc, state: DocState) -> list[Mention]:
        """The organisations the first sentence with a subject is about, or the body of the
        person it is about (`NAME 중소기업진흥공단 이사장은 …`)."""
        for s, e in state.sentences[:3]:
            groups = subject_groups(doc, state, s, e)
            if not groups:
                continue
            orgs = [m for m in groups[0] if m.type == "Organization"]
            if orgs:
                return orgs
            people = {m.text for m in groups[0] if m.type == "Person"}
            bodies = {
                r.tail
                for r in state.relations
                if r.relation == "holdsPosition" and r.head in people and s <= r.evidence.start < e
            }
            return [m for m in state.mentions if m.type == "Organization" and m.text in bodies][:1]
        return []

    def _agreement_named_program(self, doc: Doc, state: DocState, inner: str, start: int) -> bool:
        """`A는 B와 ‘P 업무협약’을 체결`: the program an agreement is named after, run by its
        parties. True when the quoted name was read so."""
        rule = rulebook()["programs.agreement-named-program"]
        named = rule.regex("name").fullmatch(inner.strip())
        if named is None or not self.cues.is_program_name(named.group("p")):
            return False
        name = canonical_program(" ".join(named.group("p").split()))
        lead = len(inner) - len(inner.lstrip())
        p_start = start + lead
        p_end = p_start + len(named.group("p"))
        mention = state.add_mention(make_mention(name, "Program", p_start, p_end, rule.id))
        state.anchors[(p_start, p_end)] = "Program"
        sent = state.sentence_at(start)
        ev = evidence(doc, sent[0], sent[1], rule.id)
        for party in agreement_parties(doc, state, sent[0], sent[1]):
            state.relations.append(Relation(party.text, "operates", mention.text, ev))
        return True

    def suffixed_names(self, doc: Doc, state: DocState) -> None:
        """Unquoted program names: a run of bare nouns that ends in a program noun
        (`창업선도대학 육성사업`, `청년창업사관학교`), neither generic (`이번 사업`) nor inside a
        name already read."""
        rule = "programs.suffixed-name"
        text = doc_text(doc)
        taken = [(m.start, m.end) for m in state.mentions]
        for s, e in state.sentences:
            words = split_words(doc, s, e)
            for k, w in enumerate(words):
                core = w.core
                head = next(endings_in(core, self.cues.program_head_set), None)  # the longest
                if head is None or any(a <= w.core_start < b for a, b in taken):
                    continue
                first = k
                while first > 0 and k - first < 3:
                    prev = words[first - 1]
                    if (
                        not prev.core
                        or prev.particle
                        or prev.brackets
                        or prev.core in self.cues.program_determiners
                        or not re.fullmatch(r"[가-힣A-Za-z0-9&·+\-]+", prev.core)
                        or re.search(r"\d+(?:년|월|일|억|만|원|개|명)", prev.core)
                        or self.cues.lexicon.lookup(prev.core) is not None
                        or any(a <= prev.core_start < b for a, b in taken)
                    ):
                        break
                    first -= 1
                start = words[first].core_start
                name = " ".join(text[start : w.core_end].split())
                bare = name.replace(" ", "")
                if core in self.cues.program_determiners or bare == head or len(bare) < len(head) + 3:
                    continue  # `지원사업`, `본 사업`: no name
                if first == k and core[: -len(head)] in self.cues.program_determiners:
                    continue
                if (
                    first
                    and text[words[first - 1].start : words[first - 1].end] in self.cues.program_determiners
                ):
                    continue  # `다양한 창업지원 프로그램`: a kind of program, not one's name
                if not self._named_program(doc, state, words, first, k, name):
                    continue
                state.add_mention(make_mention(canonical_program(name), "Program", start, w.core_end, rule))
                taken.append((start, w.core_end))

    def listed_names(self, doc: Doc, state: DocState) -> None:
        """`그로스 랩(Growth Lab), 코스포클럽, 창업가캠프 등 멤버십 프로그램`: the names listed before
        `등` and a program noun are programs; the bodies the sentence says run them run them."""
        rule = rulebook()["programs.listed-before-category"]
        text = doc_text(doc)
        operate = rule.regex("operate")
        for s, e in state.sentences:
            for cat in rule.regex("category").finditer(text, s, e):
                items = self._list_items(text, s, cat.start())
                if len(items) < 2:
                    continue
                clause = text[s:e]
                ops = (
                    [m for m in subjects(doc, state, s, e) if m.type == "Organization"]
                    if operate.search(clause)
                    else []
                )
                for a, b in items:
                    raw = text[a:b].strip()
                    alias = re.search(r"\s*\((?P<en>[A-Za-z0-9 &.\-]{2,30})\)\s*$", raw)
                    name = raw[: alias.start()].strip() if alias else raw
                    if (
                        len(name.replace(" ", "")) < 4
                        or self.cues.lexicon.lookup(name)
                        or name in self.cues.org_stopwords
                        or rule.regex("activity").search(name)
                    ):
                        continue  # `교육`, `컨설팅`: activities a program offers, not its name
                    if any(m.start <= a and b <= m.end for m in state.mentions):
                        continue
                    mention = make_mention(name, "Program", a, a + len(name), rule.id)
                    state.add_mention(mention)
                    if alias:
                        state.aliases.append(
                            AliasFact(
                                name, alias.group("en"), "english", evidence(doc, a, b, rule.id), "Program"
                            )
                        )
                    for op in ops:
                        state.relations.append(
                            Relation(op.text, "operates", name, evidence(doc, s, e, rule.id))
                        )

    def listed_program_names(self, doc: Doc, state: DocState) -> None:
        """`A사업, 산업단지 지원 및 관리, B 클러스터 사업 등 … 역할을 수행`: the items of a list
        before 등 whose names end in a program noun are programs, whatever the list is called."""
        rule = rulebook()["programs.listed-program-names"]
        generic = rulebook()["programs.suffixed-name"].regex("generic")
        text = doc_text(doc)
        for s, e in state.sentences:
            for end in rule.regex("list_end").finditer(text, s, e):
                items = self._list_items(text, s, end.start())
                if len(items) < 2:
                    continue
                ops: list[Mention] | None = None
                for a, b in items:
                    name = " ".join(text[a:b].split())
                    bare = name.replace(" ", "")
                    head = next(endings_in(bare, self.cues.program_head_set), None)
                    if (
                        head is None
                        or len(bare) < len(head) + 3
                        or generic.search(name)
                        or name.split()[0] in self.cues.program_determiners
                        or any(m.start < b and a < m.end for m in state.mentions)
                    ):
                        continue
                    mention = state.add_mention(make_mention(name, "Program", a, b, rule.id))
                    if ops is None:
                        ops = (
                            [m for m in subjects(doc, state, s, e) if m.type == "Organization"]
                            if rule.regex("operate").search(text, end.end(), e)
                            else []
                        )
                    for op in ops:
                        state.relations.append(
                            Relation(op.text, "operates", mention.text, evidence(doc, s, e, rule.id))
                        )

    def _list_items(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """(start, end) of the names of a list that ends at `end` (`A, B·C 및 D`), last first:
        each item is the bare words at the end of its part, and the list stops at the part that
        has more before its name (`주요 사업으로 … 지원하는 A`)."""
        items: list[tuple[int, int]] = []
        parts = [m for m in re.finditer(r"[^,，·ㆍ․・]+", text[start:end])]
        for part in reversed(parts):
            segment = part.group(0)
            words = list(re.finditer(r"\S+", segment))
            if words and words[0].group(0) == "및":
                words = words[1:]
            taken: list[re.Match[str]] = []
            for w in reversed(words):
                if taken and (LIST_STOP.search(w.group(0)) or len(taken) == 3):
                    break
                taken.insert(0, w)
            if not taken:
                break
            a, b = start + part.start() + taken[0].start(), start + part.start() + taken[-1].end()
            items.append((a, b))
            if len(taken) < len(words):
                break  # the list begins in this part
        return items

    def _named_program(
        self, doc: Doc, state: DocState, words: list[Word], first: int, last: int, name: str
    ) -> bool:
        """Is the phrase a program's name rather than a description (`맞춤형 교육프로그램`)? A
        compound written as one word (`구조고도화사업`), or a phrase tied to the body that runs
        it (`X가 주관하는 P`, `X의 P`) or to being selected for or taking part in it."""
        rule = rulebook()["programs.suffixed-name"]
        if rule.regex("generic").search(name):
            return False
        text = doc_text(doc)
        before = text[max(0, words[first].start - 30) : words[first].start]
        after = text[words[last].core_end : words[last].core_end + 30]
        return bool(
            rule.regex("run_before").search(before)
            or rule.regex("selected_after").match(after)
            or rule.regex("operated_after").match(after)
            or rule.regex("recruited_after").match(after)
        )

    def _english_alias(self, doc: Doc, state: DocState, mention: Mention, after: int) -> None:
        """`‘코리아 듀티프리 페스타’(「Korea Duty-Free FESTA 2023」)`."""
        m = re.match(
            r"\(\s*[「｢'\"“‘]?\s*(?P<en>[A-Za-z][A-Za-z0-9 &\-.,']{1,80}?)\s*[」｣'\"”’]?\s*\)",
            doc_text(doc)[after:],
        )
        if m:
            state.aliases.append(
                AliasFact(
                    mention.text,
                    m.group("en").strip(),
                    "english",
                    evidence(doc, mention.start, after + m.end(), "programs.english-name-after-quote"),
                    mention.type,
                )
            )

    def _operators(self, doc: Doc, state: DocState, program: Mention) -> None:
        """Who runs a program, by the first reading that applies:

        1. `A와 B가 (함께) 추진하는 ‘P’`: the subjects of an attributive operate verb;
        2. `중기부 ‘P’`, `중기부의 ‘P’`: the body written right before the name;
        3. `A는 … ‘P’ (참가자)를 모집/운영/개최…`: the sentence's subjects, when P is the
           object of an operate or event verb;
        4. `소관부처 : A | 수행기관 : B` summary fields of a notice, for its programs;
        5. a notice with no subject (`「P」에 참여할 … 모집합니다`): the body the post is about.
        """
        text = doc_text(doc)
        sent = state.sentence_at(program.start)
        before = text[sent[0] : program.start]
        q_start = (
            program.start - 1
            if program.start and text[program.start - 1] in "‘'\"“「｢『《〈<"
            else program.start
        )
        ops: list[Mention] = []
        # `A의 스타트업 인큐베이팅 프로그램인 ‘P’`: the body whose program it is said to be
        apposed = (
            rulebook()["programs.apposed-program"]
            .regex("owner")
            .search(text, max(sent[0], q_start - 50), q_start)
        )
        if apposed is not None:
            ops = [m for m in state.mentions if m.type == "Organization" and m.end == apposed.end("x")][:1]
            if ops:
                self._record_operators(doc, state, program, ops, "programs.apposed-program")
                return
        rule = "programs.attributive-operator"
        attributive = self._attributive_before(
            text,
            sent[0],
            q_start + 1 if q_start < program.start else program.start,
            "programs.attributive-operator",
        )
        if attributive:
            groups = subject_groups(doc, state, sent[0], sent[0] + attributive.end())
            if groups:
                ops = [m for m in groups[-1] if m.type == "Organization"]
            if not ops and attributive.group(0).startswith("에서"):
                # `중소기업청에서 주관하는 ‘P’`: the body that 에서 marks as the one acting
                at = sent[0] + attributive.start()
                ops = [m for m in state.mentions if m.type == "Organization" and m.end == at]
        if not ops:
            ops, rule = self._adjacent_orgs(doc, state, q_start), "programs.adjacent-operator"
        if not ops and self._operated(doc, program):
            ops = [m for m in subjects(doc, state, sent[0], sent[1]) if m.type == "Organization"]
            rule = "programs.subject-operator"
            if not ops:
                ops = self._subjects_named_elsewhere(doc, state, sent)
                rule = "programs.subject-named-elsewhere"
            counted = (
                rulebook()["programs.counted-parties-operator"]
                .regex("counted")
                .search(text, sent[0], program.start)
            )
            if not ops and counted:
                ops = self._counted_parties(
                    doc, state, sent[0], NUMBER_WORDS[counted.group("n").rstrip("개")]
                )
                rule = "programs.counted-parties-operator"
            elif not ops:
                ops, rule = self._field_operators(doc, state), "programs.field-operator"
                if not ops:
                    ops, rule = self._topic_orgs(doc, state, program.start), "programs.topic-operator"
        if (
            not ops
            and re.search(r"^[^\n]{0,40}[,，]\s*$", before)
            and sent[0] == self._line_start(text, program.start)
        ):
            # a headline `문체부·한국관광공사, ‘2020 관광벤처사업 공모전’ 참가자 모집`
            ops = [
                m for m in state.mentions if m.type == "Organization" and sent[0] <= m.start < program.start
            ]
            rule = "programs.headline-operator"
        if not ops:
            ops = self._field_operators(doc, state) if program.start < 400 else []
            rule = "programs.field-operator"
        self._record_operators(doc, state, program, ops, rule)

    def _subjects_named_elsewhere(self, doc: Doc, state: DocState, sent: tuple[int, int]) -> list[Mention]:
        """`롯데면세점은 ‘P’ 4기 … 선정`: a subject word no rule read here, written exactly as a body
        the post names elsewhere, is that body."""
        bodies = {m.text: m for m in state.mentions if m.type == "Organization"}
        out: list[Mention] = []
        for w in split_words(doc, sent[0], sent[1]):
            if particle_role(w.particle) != "subject" or w.core not in bodies:
                continue
            if any(m.start <= w.core_start < m.end for m in state.mentions):
                continue  # the word is read already (a person, a program …)
            out.append(bodies[w.core])
        return out

    def _record_operators(
        self, doc: Doc, state: DocState, program: Mention, ops: list[Mention], rule: str
    ) -> None:
        ev = evidence(doc, program.start, program.end, rule)
        for op in ops:
            state.relations.append(Relation(op.text, "operates", program.text, ev))

    def _selected_hosts(self, doc: Doc, state: DocState, program: Mention) -> None:
        """`‘P’ 주관기관으로 A, B 등을 선정`: the bodies chosen to run the program run it, and so
        does the subject that chose them (`중소기업청은 … ‘P’ 주관기관으로 … 선정`)."""
        rule = rulebook()["programs.selected-hosts"]
        text = doc_text(doc)
        role = rule.regex("host_role").match(text, program.end, program.end + 20)
        if role is None:
            return
        sent = state.sentence_at(program.start)
        hosts = [
            m
            for m in state.mentions
            if m.type == "Organization"
            and role.end() <= m.start < sent[1]
            and not in_bracket(doc, m.start, m.end, sent)
        ]
        # `중소기업청은 … ‘P’ 주관기관으로 … 선정`: the body that chose them runs the program too
        choosers = [
            m
            for m in subjects(doc, state, sent[0], program.start)
            if m.type == "Organization" and m not in hosts
        ]
        ev = evidence(doc, program.start, sent[1], rule.id)
        for host in hosts + choosers:
            state.relations.append(Relation(host.text, "operates", program.text, ev))

    def _attributive_before(self, text: str, start: int, end: int, rule_id: str) -> re.Match[str] | None:
        """`A가 추진 중인 [2013년] ‘`: an operate verb in attributive form ending at `end`
        (the match is on `text[start:end]`)."""
        rule = rulebook()[rule_id]
        year = f"(?:{rule.regex('year_in_quote').pattern})?" if "year_in_quote" in rule.patterns else ""
        return re.search(
            rule.regex("attributive").pattern + r"\s*[‘'\"“「｢『《〈<]?\s*" + year + "$", text[start:end]
        )

    def _counted_parties(self, doc: Doc, state: DocState, start: int, count: int) -> list[Mention]:
        """`세 기관은 … ‘P’를 함께 운영한다`: the parties of the post's agreement, else the
        bodies its lead sentence is about, when their number is the one the sentence gives."""
        text = doc_text(doc)
        earlier = [sp for sp in state.sentences if sp[1] <= start]
        for s, e in reversed(earlier):
            if any(c in text[s:e] for c in self.cues.agreement_cues):
                parties = agreement_parties(doc, state, s, e)
                return parties if len({p.text for p in parties}) == count else []
        for s, e in earlier:
            groups = [[m for m in g if m.type == "Organization"] for g in subject_groups(doc, state, s, e)]
            groups = [g for g in groups if g]
            if groups:
                lead = groups[-1]
                return lead if len({m.text for m in lead}) == count else []
        return []

    def definitions(self, doc: Doc, state: DocState) -> None:
        """`P은 중기부가 지원하고 창진원이 주관하는 … 사업으로`: a sentence that defines a
        program names the bodies that run it."""
        text = doc_text(doc)
        names = {m.text for m in state.mentions if m.type == "Program"}
        for s, e in state.sentences:
            head = re.match(
                r"[\s□■○◦▪•ㅇ·\-]*(?:이번\s+)?(?P<p>[^\s,]{1,40}?(?:\s[^\s,]{1,20}?){0,5}?)(?:은|는)\s",
                text[s:e],
            )
            if head is None:
                continue
            program = canonical_program(head.group("p").strip("‘’'\"“”「」｢｣"))
            if program not in names:
                continue
            for run in OPERATOR_CLAUSE.finditer(text[s:e]):
                at = s + run.start("x")
                op = next(
                    (
                        x
                        for x in state.mentions
                        if x.type == "Organization"
                        and x.start <= at < x.end + 1
                        and x.end == s + run.end("x")
                    ),
                    None,
                )
                if op is not None:
                    ev = evidence(doc, s, e, "programs.definition-operator")
                    state.relations.append(Relation(op.text, "operates", program, ev))
            # `P은 … 중소기업청과 창업진흥원의 중점 사업이다`: the bodies whose program it is
            owner = rulebook()["programs.defined-as-bodies-program"].regex("owner").search(text, s, e)
            if owner is not None:
                ends = owner.end("x")  # searched in `text` from s: the offset is already the text's
                runs = [run for run, end in self._listed_orgs(doc, state, (s, e)) if end == ends]
                last = [x.text for x in state.mentions if x.type == "Organization" and x.end == ends]
                for op_name in runs[0] if runs else last[:1]:
                    ev = evidence(doc, s, e, "programs.defined-as-bodies-program")
                    state.relations.append(Relation(op_name, "operates", program, ev))

    def _listed_orgs(self, doc: Doc, state: DocState, sent: tuple[int, int]) -> list[tuple[list[str], int]]:
        """Runs of bodies written as one list (`A과 B`, `A, B`), each with where it ends."""
        text = doc_text(doc)
        orgs = sorted(
            (m for m in state.mentions if m.type == "Organization" and sent[0] <= m.start < sent[1]),
            key=lambda m: (m.start, -m.end),
        )
        runs: list[tuple[list[str], int]] = []
        run: list[str] = []
        last_end = -1
        for m in orgs:
            if m.start < last_end:
                continue
            if run and re.fullmatch(
                r"\s*(?:\([^()]*\))?\s*(?:[,，·ㆍ]|및|와|과)?\s*", text[last_end : m.start]
            ):
                run.append(m.text)
            else:
                if run:
                    runs.append((run, last_end))
                run = [m.text]
            last_end = m.end
        if run:
            runs.append((run, last_end))
        return runs

    def _line_start(self, text: str, pos: int) -> int:
        return text.rfind("\n", 0, pos) + 1

    def _adjacent_orgs(self, doc: Doc, state: DocState, quote_start: int) -> list[Mention]:
        """Organisations written right before the quote: `중기부 ‘P’`, `중기부의 ‘P’`, `중기부 주관 ‘P’`,
        and every body of a joined headline subject `문체부·한국관광공사, ‘P’`."""
        text = doc_text(doc)
        between = rulebook()["programs.adjacent-operator"].regex("between")
        near = [
            m
            for m in state.mentions
            if m.type == "Organization"
            and m.end <= quote_start
            and quote_start - m.end <= 5
            and between.fullmatch(text[m.end : quote_start])
        ]
        if not near:
            return []
        last = max(near, key=lambda m: m.end)
        word_start = max(text.rfind(" ", 0, last.start), text.rfind("\n", 0, last.start)) + 1
        joined = [
            m
            for m in state.mentions
            if m.type == "Organization"
            and word_start <= m.start
            and m.end <= last.end
            and re.fullmatch(r"[·ㆍ,]?", text[m.end : m.end + 1] if m is not last else "")
        ]
        return joined or [last]

    def _field_operators(self, doc: Doc, state: DocState) -> list[Mention]:
        """Organisations named in a notice's summary fields (소관부처, 수행기관, 주관, …)."""
        out: list[Mention] = []
        for m in FIELD_OPERATOR.finditer(doc_text(doc)):
            s, e = m.start("v"), m.end("v")
            out += [x for x in state.mentions if x.type == "Organization" and s <= x.start < e]
        return out

    def _operated(self, doc: Doc, program: Mention) -> bool:
        """Is the program what the clause runs? `‘X’을 운영/추진/수립…`, `‘X’ 참가자를 모집`."""
        after = doc_text(doc)[program.end : program.end + 60]
        if re.match(r"\s*[’'\"”」｣』》〉>]?\s*(?:\([^)]{0,30}\))?\s*(?:운영|추진|시행)(?!자)", after):
            return True  # `‘P’ 운영 경험을 공유`, `‘P’ 추진 상황`
        m = re.match(
            r"\s*[’'\"”」｣』》〉>]?\s*(?:\([^)]{0,30}\))?\s*(?:[가-힣A-Za-z0-9·]+\s+){0,3}?[가-힣A-Za-z0-9·]*?"
            r"(?P<p>을|를|에\s*참여|에\s*참가|의\s*참여|은|는|이|가|에서|의|\s운영|\s추진|\s시행)(?=\s|$|[,.])",
            after,
        )
        if not m:
            return False
        rest = after[m.end() :]
        p = m.group("p").strip()
        if p in ("운영", "추진", "시행"):
            return True  # `‘P’ 운영 계획`, `‘P’ 추진 상황`
        if p.startswith(("에", "의")):
            return any(v in rest for v in ("모집", "공고", "신청", "접수", "운영", "추진", "선정", "개최"))
        if p in ("은", "는", "이", "가"):
            return bool(re.search(r"(?:운영|추진|시행|실시)(?:되|된|한다|합니다|중|하고)", rest))
        verbs = (*self.cues.operate_verbs, "개최", "열고", "열어", "열었")
        return any(v in rest[:30] for v in verbs)

    def _topic_orgs(self, doc: Doc, state: DocState, before: int) -> list[Mention]:
        """The subjects of the nearest earlier sentence that has organisation subjects."""
        for s, e in reversed([sp for sp in state.sentences if sp[0] < before]):
            ops = [m for m in subjects(doc, state, s, e) if m.type == "Organization"]
            if ops:
                return ops
        orgs = sorted((m for m in state.mentions if m.type == "Organization"), key=lambda m: m.start)
        return orgs[:1]
