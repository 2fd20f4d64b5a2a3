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

from kg.extract.clauses import subjects
from kg.extract.cues import Cues, load_cues
from kg.extract.state import AliasFact, DocState, ensure_extensions, evidence
from kg.model import Mention, Relation

COMPONENT = "programs"
QUOTED = re.compile(r"[‘'\"“「｢『《〈<]\s*(?P<x>[^‘’'\"“”「」｢｣『』《》〈〉<>\n]{2,60}?)\s*[’'\"”」｣』》〉>]")
COHORT = re.compile(r"\d+\s*기\b|\d+\s*기$|20\d{2}\s*년?")
YEAR_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}\s*년?\s*|제\s*\d+\s*(?:회|차)\s*)")
SPEECHY = re.compile(r"(?:다|요|니다|습니다|겠다|하자|라)[.!?]?$")


def classify_quoted(cues: Cues, text: str) -> tuple[str, str | None] | None:
    """(type, subtype or event kind) for a quoted name, or None when it is not a name."""
    bare = text.strip()
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


@Language.factory("kg_programs", default_config={"confidence": 0.85})
def make_programs(nlp: Language, name: str, confidence: float) -> ProgramRules:
    ensure_extensions()
    return ProgramRules(confidence)


class ProgramRules:
    def __init__(self, confidence: float) -> None:
        self.cues = load_cues()
        self.confidence = confidence

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        text = doc.text
        for m in QUOTED.finditer(text):
            inner = m.group("x")
            if re.search(r"[’'\"”」｣』》〉]\s*\(\s*$", text[max(0, m.start() - 4) : m.start()]):
                continue  # `‘코리아 듀티프리 페스타’(「Korea Duty-Free FESTA 2023」)`: an alias
            s = m.start("x")
            e = m.end("x")
            # `‘X’ 사업` : the quote names the program, the noun after it says so
            after = text[m.end() : m.end() + 8]
            cls = classify_quoted(self.cues, inner)
            if cls is None and re.match(r"\s*(?:사업|프로그램|패키지|지원사업)", after):
                cls = ("Program", None)
            if cls is None:
                continue
            type_, sub = cls
            name = inner.strip()
            if (
                type_ == "Organization"
                and sub == "center"
                and re.match(r"[’'\"”」｣』》〉]?\s*(?:을|를)\s*(?:\S+\s+){0,3}?운영", text[e : e + 30])
            ):
                # `‘스타트업 원스톱 지원센터’를 … 운영합니다`: a service the body runs
                type_, sub = "Program", None
            if type_ == "Program":
                canonical = canonical_program(name)
                if canonical != name:
                    state.aliases.append(
                        AliasFact(
                            canonical,
                            name,
                            "variant",
                            evidence(doc, s, e, COMPONENT, 0.9),
                            "Program",
                        )
                    )
                name = canonical
                s = e - len(name) if text[s:e].endswith(name) else s
            mention = Mention(name, type_, s, e, COMPONENT, self.confidence, sub)
            state.add_mention(mention)
            state.anchors[(s, e)] = type_
            self._english_alias(doc, state, mention, m.end())
        for mention in [m for m in state.mentions if m.type == "Program"]:
            self._operators(doc, state, mention)
        return doc

    def _english_alias(self, doc: Doc, state: DocState, mention: Mention, after: int) -> None:
        """`‘코리아 듀티프리 페스타’(「Korea Duty-Free FESTA 2023」)`."""
        m = re.match(
            r"\(\s*[「｢'\"“‘]?\s*(?P<en>[A-Za-z][A-Za-z0-9 &\-.,']{1,80}?)\s*[」｣'\"”’]?\s*\)",
            doc.text[after:],
        )
        if m:
            state.aliases.append(
                AliasFact(
                    mention.text,
                    m.group("en").strip(),
                    "english",
                    evidence(doc, mention.start, after + m.end(), COMPONENT, 0.9),
                    mention.type,
                )
            )

    def _operated(self, doc: Doc, program: Mention) -> bool:
        """Is the program what the clause runs? `‘X’을 운영/추진/수립…`, `「X」에 참여할 … 모집`."""
        after = doc.text[program.end : program.end + 40]
        m = re.match(
            r"\s*[’'\"”」｣』》〉]?\s*(?:\([^)]{0,30}\))?\s*(?P<p>을|를|에\s*참여|에\s*참가|의\s*참여|은|는|이|가)?",
            after,
        )
        if not m or not m.group("p"):
            return False
        rest = after[m.end() :]
        if m.group("p").startswith(("에", "의")):
            return any(v in rest for v in ("모집", "공고", "신청", "접수"))
        if m.group("p") in ("은", "는", "이", "가"):
            return bool(re.search(r"(?:운영|추진|시행|실시)(?:되|된|한다|합니다|중)", rest))
        return any(rest.lstrip().startswith(v) or f" {v}" in rest[:25] for v in self.cues.operate_verbs)

    def _operators(self, doc: Doc, state: DocState, program: Mention) -> None:
        if not self._operated(doc, program):
            return
        sent = state.sentence_at(program.start)
        ops = [
            m
            for m in subjects(doc, state, sent[0], sent[1], before=program.start)
            if m.type == "Organization"
        ]
        conf = 0.8
        if not ops:
            ops = self._topic_orgs(doc, state, program.start)
            conf = 0.6
        ev = evidence(doc, program.start, program.end, COMPONENT, conf)
        for op in ops:
            state.relations.append(Relation(op.text, "operates", program.text, ev))

    def _topic_orgs(self, doc: Doc, state: DocState, before: int) -> list[Mention]:
        """The subjects of the nearest earlier sentence that has organisation subjects."""
        for s, e in reversed([sp for sp in state.sentences if sp[0] < before]):
            ops = [m for m in subjects(doc, state, s, e) if m.type == "Organization"]
            if ops:
                return ops
        orgs = sorted((m for m in state.mentions if m.type == "Organization"), key=lambda m: m.start)
        return orgs[:1]
