"""Genre conventions of Korean official writing: who holds which post, aliases, units.

Read per sentence as a sequence of words (see kg/extract/words.py):
- `기관(장관 이름, 이하 약칭)`, `기관(이름 센터장)`, `기관(LH)`, `기관(English Name)`
- `이름 직함`, `이름 기관 직함`, `기관 이름 직함`, `직함 이름`, fused titles
  (`재난안전관리본부장` → unit 재난안전관리본부 + 본부장), acting titles (직무대행)
- `기관 단위` (`중소벤처기업부 창업정책과`), `기관 산하/소속 X`
- legal-form markers: (사), (재), ㈜, 주식회사, 사단법인
- field lines of event summaries: `참석자 : …`, `장소 : …`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.cues import Cues, load_cues
from kg.extract.state import AliasFact, DocState, doc_text, ensure_extensions, evidence
from kg.extract.words import Word, _tag_at, particle_role, split_words
from kg.model import Evidence, Mention, Relation
from kg.normalize import LEGAL_FORMS, find_dates, split_legal_form

COMPONENT = "genre"
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&.,'\- ]*")
ABBR = re.compile(r"[A-Z][A-Z0-9&\-]{1,9}")
FIELD_LINE = re.compile(r"^[\s▪■□○•◦\-*ㅇ·]*(?P<key>[가-힣 ]{2,8}?)\s*[:：]\s*(?P<value>.+)$")
ACTING = ("직무대행", "직무 대행", "권한대행")
VERBAL_END = re.compile(r"(?:다|고|며|서|면|한|된|할|던|해|했|하여|하는|하며|하고|인)$")
PARTICLE_END = re.compile(r"(?:은|는|이|가|을|를|의|에|와|과|로|도|에서)$")
ENGLISH_TITLE = re.compile(
    r"\b(?:Officer|Chief|Director|Manager|President|CEO|CTO|COO|Minister|Head|Chair|Chairman|Secretary|Vice)\b"
)
TOOK_OFFICE = re.compile(r"취임|임명|부임|선임|새로 선출|취임식")
PROVINCES = frozenset({"경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주"})
WEAK_SUBTYPES = frozenset({"unit", "company"})
AMBIGUOUS_TITLES = frozenset({"시장", "지사", "감사", "이사", "대사", "사장", "부장"})
COMMON_TAGS = ("NNG", "NNB", "NR", "NP", "MM", "MAG", "VV", "VA", "XR")
COMPANY_HEADS = (
    "대표",
    "대표이사",
    "공동대표",
    "회장",
    "이사장",
    "원장",
    "센터장",
    "소장",
    "단장",
    "총장",
    "CEO",
    "최고경영자",
    "창업자",
    "설립자",
)
GOV_TITLES = (
    "장관",
    "차관",
    "차관보",
    "실장",
    "국장",
    "대변인",
    "정책관",
    "기획관",
    "조정관",
    "심의관",
    "본부장",
    "청장",
    "처장",
    "위원장",
)
HEAD_SUFFIX_TITLES = {  # unit suffix → the title of its head, for fused forms
    "본부": "본부장",
    "국": "국장",
    "과": "과장",
    "실": "실장",
    "팀": "팀장",
    "단": "단장",
    "센터": "센터장",
    "청": "청장",
    "원": "원장",
    "처": "처장",
    "소": "소장",
    "지사": "지사장",
    "지점": "지점장",
    "지청": "지청장",
    "협회": "협회장",
    "연합회": "회장",
    "중앙회": "회장",
    "조합": "조합장",
    "시": "시장",
    "군": "군수",
    "구": "구청장",
    "공단": "이사장",
    "재단": "이사장",
    "대학교": "총장",
}


@dataclass
class TitleRead:
    role: str  # the title as written
    unit: str | None  # the unit fused into the title, if any
    acting: bool = False


@Language.factory("kg_genre", default_config={"confidence": 0.9})
def make_genre(nlp: Language, name: str, confidence: float) -> GenreRules:
    ensure_extensions()
    return GenreRules(confidence)


class GenreRules:
    def __init__(self, confidence: float) -> None:
        self.cues: Cues = load_cues()
        self.confidence = confidence
        self.titles = sorted({t.title for t in self.cues.lexicon.titles}, key=len, reverse=True)
        self.title_set = set(self.titles)
        self._titles_seen: dict[str, TitleRead | None] = {}
        self._subtypes_seen: dict[str, str | None] = {}

    # -- classification --------------------------------------------------------------

    def read_title(self, text: str) -> TitleRead | None:
        """`제2차관` → role; `재난안전관리본부장` → unit 재난안전관리본부 + 본부장 (memoised)."""
        if text not in self._titles_seen:
            if len(self._titles_seen) > 200_000:
                self._titles_seen.clear()
            self._titles_seen[text] = self._read_title(text)
        return self._titles_seen[text]

    def _read_title(self, text: str) -> TitleRead | None:
        text = text.strip()
        acting = False
        for mark in ACTING:
            if text.endswith(mark):
                text = text[: -len(mark)].strip()
                acting = True
        if not text:
            return None
        if text in self.title_set:
            return TitleRead(text, None, acting)
        for title in self.titles:
            if text.endswith(title) and len(text) > len(title):
                prefix = text[: -len(title)].strip()
                if not re.fullmatch(r"[가-힣A-Za-z0-9·]+", prefix.replace(" ", "")):
                    continue
                if title.endswith("장"):
                    unit = prefix + title[:-1]
                    for suffix in sorted(HEAD_SUFFIX_TITLES, key=len, reverse=True):
                        if unit.endswith(suffix) and len(unit) > len(suffix) + 1 and self.is_org(unit):
                            return TitleRead(HEAD_SUFFIX_TITLES[suffix], unit, acting)
                if self.org_subtype(prefix) and len(prefix) >= 2:
                    return TitleRead(title, prefix, acting)
                if title in AMBIGUOUS_TITLES and not self._office_prefix(title, prefix):
                    return None  # 남부시장 is a market, 서울시장 a mayor, 익산지사 a branch
                return TitleRead(text, None, acting)
        return None

    def _office_prefix(self, title: str, prefix: str) -> bool:
        """Can `prefix` + `title` be a head of government (서울시장, 경기도지사, 경기지사)?"""
        entry = self.cues.lexicon.lookup(prefix)
        if title == "지사":
            return prefix.endswith("도") or prefix in PROVINCES
        return entry is not None

    def org_subtype(self, name: str) -> str | None:
        """Subtype when `name` reads as an organisation name, else None (memoised)."""
        if name not in self._subtypes_seen:
            if len(self._subtypes_seen) > 200_000:
                self._subtypes_seen.clear()
            self._subtypes_seen[name] = self._org_subtype(name)
        return self._subtypes_seen[name]

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
        return self.cues.org_subtype_by_suffix(name)

    def is_org(self, name: str) -> bool:
        return self.org_subtype(name) is not None

    def is_person(self, name: str) -> bool:
        return self.cues.is_person_name(name) and not self.read_title(name) and not self.is_org(name)

    def is_person_word(self, doc: Doc, word: Word) -> bool:
        """A name-shaped word that MeCab does not read as one common noun (지자체, 소공인);
        the statistical NER's PS reading of exactly this word settles doubtful cases."""
        if not self.is_person(word.core):
            return False
        if (word.core_start, word.core_end) in _person_spans(doc):
            return True
        span = doc.char_span(word.core_start, word.core_end, alignment_mode="expand")
        if span is None:
            return True
        tokens = [t for t in span if not t.is_space]
        return not (len(tokens) == 1 and tokens[0].tag_.startswith(COMMON_TAGS))

    # -- the pass --------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        tags = _tag_at(doc)
        for s, e in state.sentences:
            words = split_words(doc, s, e, tags)
            self.field_line(doc, state, s, e, tags)
            self.legal_forms(doc, state, words)
            self.appositions(doc, state, words)
            self.person_titles(doc, state, words)
            self.short_references(doc, state, words)
            self.honorific_names(doc, state, words)
            self.title_before_name(doc, state, words)
            self.units(doc, state, words)
            self.subordinate_cues(doc, state, words)
            self.suffix_orgs(doc, state, words)
        return doc

    # -- helpers -----------------------------------------------------------------------

    def _mention(
        self,
        state: DocState,
        text: str,
        type_: str,
        start: int,
        end: int,
        conf: float,
        subtype: str | None = None,
    ) -> Mention:
        entry = self.cues.lexicon.lookup(text) if type_ == "Organization" else None
        m = Mention(
            text,
            type_,
            start,
            end,
            COMPONENT,
            conf,
            subtype or (entry.subtype if entry else None),
            entry.id if entry else None,
        )
        state.add_mention(m)
        state.anchors[(start, end)] = type_
        return m

    def _org(self, doc: Doc, state: DocState, word: Word, conf: float | None = None) -> str | None:
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
        self._mention(
            state,
            name,
            "Organization",
            start,
            start + len(name),
            conf or self.confidence,
            self.org_subtype(name) or _form_subtype(form),
        )
        return name

    def _holds(
        self,
        doc: Doc,
        state: DocState,
        person: str,
        org: str | None,
        title: TitleRead,
        start: int,
        end: int,
        conf: float,
    ) -> None:
        if org is None:
            return
        ev = evidence(doc, start, end, COMPONENT, conf)
        tail, role = org, title.role
        if title.unit:
            tail = title.unit
            state.relations.append(Relation(title.unit, "subOrganizationOf", org, ev))
        state.relations.append(
            Relation(
                person,
                "holdsPosition",
                tail,
                ev,
                role=role,
                acting=title.acting,
                start=self._took_office(state, ev),
            )
        )

    def _took_office(self, state: DocState, ev: Evidence) -> str | None:
        """`지난 1일 취임한 오영주 장관`: the date the text says the post began."""
        if not TOOK_OFFICE.search(ev.sentence):
            return None
        hits = find_dates(ev.sentence, state.published)
        return hits[0][2].isoformat() if hits else None

    def _unit_mention(self, state: DocState, title: TitleRead, word: Word, conf: float) -> None:
        if title.unit:
            pos = word.core_start + max(word.core.find(title.unit), 0)
            self._mention(
                state,
                title.unit,
                "Organization",
                pos,
                pos + len(title.unit),
                conf,
                self.org_subtype(title.unit) or "unit",
            )

    # -- conventions -------------------------------------------------------------------

    def appositions(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`기관(장관 이름, 이하 약칭)` and friends."""
        text = doc_text(doc)
        for w in words:
            if not w.brackets or not w.core:
                continue
            b_start, b_end = w.brackets[0]
            inner = text[b_start:b_end]
            items = [(m.group(0), b_start + m.start()) for m in re.finditer(r"[^,，;]+", inner)]
            people: list[tuple[str, TitleRead, int]] = []
            aliases: list[tuple[str, str]] = []
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
                    and _is_subsequence(raw, w.core)
                    and not self.read_title(raw)
                ):
                    aliases.append((raw, "short"))
            if not people and not aliases:
                continue
            is_org = self.is_org(w.core) or bool(people)
            if people and is_org:
                org = self._org(doc, state, w)
                for name, title, pos in people:
                    self._mention(state, name, "Person", pos, pos + len(name), self.confidence)
                    self._unit_mention(state, title, w, self.confidence)
                    self._holds(doc, state, name, org, title, w.core_start, b_end, self.confidence)
            for alias, kind in aliases:
                if kind == "english" and self.is_person(w.core):
                    state.aliases.append(
                        AliasFact(
                            w.core,
                            alias,
                            "english",
                            evidence(doc, w.start, w.end, COMPONENT, 0.9),
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
                    self._mention(state, w.core, "Organization", w.core_start, w.core_end, 0.65, "company")
                if not is_org and kind != "short" and not self.cues.lexicon.lookup(w.core):
                    # `쏠리드파워(Solid Power)`: a name with its English form; the type is
                    # decided later by what the name does in the sentence.
                    state.aliases.append(
                        AliasFact(w.core, alias, kind, evidence(doc, w.start, w.end, COMPONENT, 0.85), "")
                    )
                    continue
                state.aliases.append(
                    AliasFact(w.core, alias, kind, evidence(doc, w.start, w.end, COMPONENT, 0.9), "")
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
            name, name_end = self._person_at(doc, words, i)
            if name is None:
                i += 1
                continue
            j = name_end  # index of the word after the name
            org: str | None = None
            if j + 1 < n and not self._title_at(words, j) and self._title_at(words, j + 1):
                # `고규창 행정안전부 차관`, `이병권 중기부 제2차관`; not `상인회 정시범 회장`
                org_word = words[j]
                if self._korean_name(doc, org_word) is not None:
                    i += 1
                    continue
                if org_word.core and org_word.core not in self.cues.org_stopwords:
                    org = self._org(doc, state, org_word, 0.85)
                j += 1
            title_read = self._title_at(words, j) if j < n else None
            if title_read is None:
                i += 1
                continue
            title, t_words = title_read
            t_last = words[j + t_words - 1]
            start = words[i].start
            if org is None:
                org_word_before = self._org_before(doc, state, words, i, title)
                if org_word_before is not None:
                    org_word_before = self._extend_name_left(doc, state, words, i - 1, org_word_before)
                    org = self._org(doc, state, org_word_before, 0.85)
                    start = org_word_before.start
            self._mention(
                state, name, "Person", words[i].core_start, words[i].core_start + len(name), self.confidence
            )
            self._unit_mention(state, title, words[j], 0.85)
            if org is None and title.unit is None:
                # `박성효 이사장은`: a person the post already placed keeps that body
                org = self._known_org(state, name, title) or self._topic_org(state, title, words[i].start)
                org = org or self._recent_org(state, title, words[i].start)
            if org is None and title.unit is not None:
                # the unit alone: holdsPosition on the unit, parent from context if any
                ev = evidence(doc, start, t_last.end, COMPONENT, 0.85)
                state.relations.append(
                    Relation(name, "holdsPosition", title.unit, ev, role=title.role, acting=title.acting)
                )
                parent = self._topic_org(state, TitleRead("실장", None), words[i].start)
                if parent and self.cues.lexicon.lookup(parent):
                    state.relations.append(Relation(title.unit, "subOrganizationOf", parent, ev))
            else:
                self._holds(doc, state, name, org, title, start, t_last.end, 0.85)
            # `조용남 심사위원(한국보육진흥원 교직원지원국장)`: a bracketed post
            if t_last.brackets:
                self._bracketed_post(doc, state, name, t_last)
            i = j + t_words

    def _org_before(
        self, doc: Doc, state: DocState, words: list[Word], i: int, title: TitleRead
    ) -> Word | None:
        """The body named right before a person: `㈜하늘결로보틱스 김예시 대표`, `…기업청의 배예문 청장`."""
        if i == 0:
            return None
        prev = words[i - 1]
        if not prev.core:
            return None
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
        if title.role in COMPANY_HEADS and self._proper_noun(doc, prev):
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

    def _known_org(self, state: DocState, person: str, title: TitleRead) -> str | None:
        held = [r for r in state.relations if r.relation == "holdsPosition" and r.head == person]
        same = [r for r in held if r.role == title.role] or held
        return same[0].tail if same else None

    def _recent_org(self, state: DocState, title: TitleRead, before: int) -> str | None:
        """`권대역 대표는`, with the company named in the previous sentence."""
        if title.role not in COMPANY_HEADS:
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
                self._mention(state, names.pop(), "Person", w.core_start, w.core_end, 0.8)

    def honorific_names(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`운영자 주가례 씨`, `예비창업자 전고안 씨는`: a name followed by 씨 is a person."""
        for k in range(len(words) - 1):
            w, nxt = words[k], words[k + 1]
            if not w.core or w.particle or not nxt.core.startswith("씨") or nxt.core not in ("씨",):
                continue
            if self.cues.is_person_name(w.core) and not self.is_org(w.core) and not self.read_title(w.core):
                self._mention(state, w.core, "Person", w.core_start, w.core_end, 0.8)

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

    def title_before_name(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`산업부 장관 안덕근은`: body, title, then the name."""
        for k in range(1, len(words) - 1):
            t = self.read_title(words[k].core) if words[k].core else None
            if not t or t.unit or particle_role(words[k].particle) != "none":
                continue
            name_word = self._without_glued_particle(words[k + 1])
            if not self.is_person_word(doc, name_word) or not self.is_org(words[k - 1].core):
                continue
            org = self._org(doc, state, words[k - 1], 0.8)
            name = name_word.core
            self._mention(state, name, "Person", words[k + 1].core_start, words[k + 1].core_end, 0.8)
            self._holds(doc, state, name, org, t, words[k - 1].start, words[k + 1].end, 0.8)

    def _bracketed_post(self, doc: Doc, state: DocState, person: str, word: Word) -> None:
        b_start, b_end = word.brackets[0]
        inner_words = split_words(doc, b_start, b_end)
        if len(inner_words) >= 2:
            title = self._title_at(inner_words, len(inner_words) - 1)
            org_w = inner_words[-2]
            if title and self.is_org(org_w.core):
                org = self._org(doc, state, org_w, 0.85)
                self._unit_mention(state, title[0], inner_words[-1], 0.85)
                self._holds(doc, state, person, org, title[0], word.start, word.end, 0.85)
        elif len(inner_words) == 1:
            title = self._title_at(inner_words, 0)
            if title and title[0].unit:
                self._unit_mention(state, title[0], inner_words[0], 0.8)
                ev = evidence(doc, word.start, word.end, COMPONENT, 0.8)
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
            ):
                return surface, i + 1  # `장허구` read by MeCab as a verb (장허 + 구)
            return None, i
        if self.is_person_word(doc, w) and particle_role(w.particle) == "none":
            return w.core, i + 1
        # MeCab splits unseen names oddly (여모의 → 여모 + 의): before a title, read the whole word
        whole = self._korean_name(doc, w)
        if whole is not None and whole != w.core:
            nxt = self._title_at(words, i + 1) or (
                self._title_at(words, i + 2) if i + 2 < len(words) else None
            )
            if nxt is not None:
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
                    evidence(doc, group[0].start, last.end, COMPONENT, 0.85),
                    "Person",
                )
            )
            return name, i + span
        return None, i

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
        return surface

    def _clean_particle(self, doc: Doc, w: Word) -> bool:
        """Did MeCab end the word with exactly one particle token (`장관과`, `대학이`)?"""
        if not w.particle:
            return True
        span = doc.char_span(w.core_end, w.core_end + len(w.particle), alignment_mode="expand")
        if span is None:
            return False
        tokens = [t for t in span if not t.is_space and t.text not in ",·"]
        return len(tokens) == 1 and tokens[0].tag_.startswith("J")

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
                acting = any(words[j + 2].core.startswith(a) for a in ACTING) if j + 2 < len(words) else False
                return TitleRead(two.role, None, two.acting or acting), 2
        if not words[j].core:
            return None
        one = self.read_title(words[j].core)
        if one is None and PARTICLE_END.search(words[j].core):
            # MeCab sometimes glues the particle on (`동북지방통계청장은` read as …청 + 장은)
            one = self.read_title(PARTICLE_END.sub("", words[j].core))
        if one is None:
            return None
        if j + 1 < len(words) and any(words[j + 1].core.startswith(a) for a in ACTING):
            one = TitleRead(one.role, one.unit, True)
        return one, 1

    def _topic_org(self, state: DocState, title: TitleRead, before: int) -> str | None:
        """For `이병권 제2차관은` with no body named: the government body the post is about."""
        if not title.role.endswith(GOV_TITLES) and not any(t in title.role for t in ("차관", "장관")):
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

    def _canonical(self, name: str) -> str:
        entry = self.cues.lexicon.lookup(name)
        return entry.name if entry else name

    def units(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`중소벤처기업부 창업정책과`, `근로복지공단 익산지사`."""
        for k in range(len(words) - 1):
            a, b = words[k], _unit_reading(words[k + 1], words[k + 2] if k + 2 < len(words) else None)
            if not a.core or not b.core or particle_role(a.particle) not in ("none",):
                continue
            if self.read_title(b.core) or not self.is_org(a.core):
                continue
            if not b.core.endswith(self.cues.unit_suffixes) or b.core in self.cues.org_stopwords:
                continue
            if len(b.core) < 3 or self.cues.lexicon.lookup(b.core):
                continue
            parent = self._org(doc, state, a, 0.85)
            unit: str | None
            if b.core in self.cues.generic_units:
                # `부산대학교 창업지원단`: a unit every university has is named with its parent
                unit = doc_text(doc)[a.core_start : b.core_end]
                self._mention(state, unit, "Organization", a.core_start, b.core_end, 0.85, "unit")
            else:
                unit = self._org(doc, state, b, 0.85)
            if parent and unit:
                ev = evidence(doc, a.start, b.end, COMPONENT, 0.85)
                state.relations.append(Relation(unit, "subOrganizationOf", parent, ev))

    def subordinate_cues(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`기관 산하 X`, `기관 소속 X`, `기관 산하 … 운용기관인 X`, `X는 기관 산하 공공기관으로`."""
        for k in range(1, len(words) - 1):
            if words[k].core not in ("산하", "소속") or not words[k - 1].core:
                continue
            parent_w = words[k - 1]
            if particle_role(parent_w.particle) not in ("none", "genitive") or not self.is_org(parent_w.core):
                continue
            child_w = next(
                (
                    w
                    for w in words[k + 1 : k + 5]
                    if w.core and self.is_org(w.core) and particle_role(w.particle) != "genitive"
                ),
                None,
            )
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
            parent = self._org(doc, state, parent_w, 0.8)
            child = self._org(doc, state, child_w, 0.8)
            if parent and child and parent != child:
                lo, hi = min(parent_w.start, child_w.start), max(parent_w.end, child_w.end)
                ev = evidence(doc, lo, hi, COMPONENT, 0.8)
                state.relations.append(Relation(child, "subOrganizationOf", parent, ev))

    def legal_forms(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """(사)X, ㈜X, X(주), 주식회사 X, 사단법인 X."""
        for k, w in enumerate(words):
            if not w.core:
                continue
            lead = doc_text(doc)[w.lead_bracket[0] - 1 : w.lead_bracket[1] + 1] if w.lead_bracket else ""
            trail = f"({doc_text(doc)[w.brackets[0][0] : w.brackets[0][1]]})" if w.brackets else ""
            if lead in LEGAL_FORMS or trail in LEGAL_FORMS or w.core.startswith(("㈜", "㈔")):
                title = self.read_title(split_legal_form(w.core)[0])
                if title and title.unit:
                    # (사)전국도시형소공인연합회장: the body is the unit of the fused title
                    form = LEGAL_FORMS.get(lead) or LEGAL_FORMS.get(trail)
                    if form:
                        state.legal_forms[title.unit] = form
                    self._unit_mention(state, title, w, 0.85)
                    continue
                if trail in LEGAL_FORMS:
                    state.legal_forms[w.core] = LEGAL_FORMS[trail]
                self._org(doc, state, w, 0.9)
            elif w.core in ("주식회사", "사단법인", "재단법인") and k + 1 < len(words) and words[k + 1].core:
                nxt = words[k + 1]
                state.legal_forms[nxt.core] = w.core
                self._mention(
                    state,
                    nxt.core,
                    "Organization",
                    nxt.core_start,
                    nxt.core_end,
                    0.9,
                    self.org_subtype(nxt.core) or _form_subtype(w.core),
                )

    def suffix_orgs(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """A word whose ending names a body (…진흥원, …협회), used as subject or listed."""
        for w in words:
            if not w.core or (w.start, w.core_end) in state.anchors:
                continue
            role = particle_role(w.particle)
            if role not in (
                "subject",
                "conj",
                "conj-of",
                "list",
                "genitive",
                "none",
                "object",
                "place",
            ):
                continue
            subtype = self.org_subtype(w.core)
            if subtype is None or self.cues.lexicon.lookup(w.core) or self.read_title(w.core):
                continue
            if subtype in WEAK_SUBTYPES or any(c in w.core for c in "·/"):
                continue  # 회의실, 딥테크, `복지부·중기부`: units and companies need more than an ending
            if not w.core.endswith(self.cues.strong_org_suffixes):
                continue
            self._mention(state, w.core, "Organization", w.core_start, w.core_end, 0.6, subtype)

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
                        0.85,
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
                    0.85,
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
                    0.8,
                    self.org_subtype(name) or "company",
                )
                if form:
                    state.legal_forms[name] = form


def _person_spans(doc: Doc) -> set[tuple[int, int]]:
    """Character spans the statistical NER labels PS (empty when the model is absent)."""
    cached: set[tuple[int, int]] | None = doc.user_data.get("kg_ner_ps")
    if cached is None:
        cached = {(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PS"}
        doc.user_data["kg_ner_ps"] = cached
    return cached


def _unit_reading(word: Word, following: Word | None) -> Word:
    """`창업정책과 ☎ 044-…`: MeCab reads the unit suffix 과 as the particle "and";
    when nothing that could be conjoined follows, it is part of the name."""
    if word.particle != "과" or len(word.core) < 3:
        return word
    nxt = following.core if following is not None else ""
    if nxt and re.match(r"[가-힣A-Za-z]", nxt) and not nxt.startswith(("과장", "팀장")):
        return word
    return replace(word, core=word.core + "과", core_end=word.core_end + 1, particle="")


def _form_subtype(form: str | None) -> str | None:
    return {
        "사단법인": "association",
        "재단법인": "agency",
        "주식회사": "company",
        "유한회사": "company",
    }.get(form or "")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)
