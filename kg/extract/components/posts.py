"""Posts taken in a body the post is about, once every name in the post is known.

`마연출 창업벤처혁신실장이 단장을 맡고`, `초대 회장에는 … 변초안 대표가 선출됐다`,
`협의회는 … 심실습 교수가 공동위원장을 맡았다`: the body is the sentence's topic, read back
to the full name (or alias) written earlier, else the task force the post last named.
Runs after the quoted names (kg_programs), since new bodies are usually written in quotes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.components.bodies import BodyRules
from kg.extract.reading import TitleRead
from kg.extract.rules import rulebook
from kg.extract.state import DocState, doc_text, ensure_extensions, evidence
from kg.extract.words import Word, particle_role, split_words
from kg.model import Relation

APPOINTED = "posts.appointed-in-body"
HEAD_OF_FORMED = "posts.head-of-formed"
TAKEN = re.compile(r"(?:맡았|맡는다|맡고|맡게|선출됐|선출되었|선임됐|선임되었|임명됐|취임했)")


@Language.factory(
    "kg_posts",
    assigns=["doc._.kg"],
    requires=["doc._.kg"],  # and token tags, which the MeCab tokenizer sets
)
def make_posts(nlp: Language, name: str) -> PostRules:
    ensure_extensions()
    return PostRules()


class PostRules(BodyRules):
    def __call__(self, doc: Doc) -> Doc:
        state: DocState = doc._.kg
        for s, e in state.sentences:
            words = split_words(doc, s, e)
            # `협의회는`, `촉진단은`: now that quoted bodies are known, bare nouns can name them too
            self.body_references(doc, state, words)
            self.posts_taken(doc, state, words)
            self.ordinal_posts(doc, state, words)
            self.appointed_in_body(doc, state, words)
            self.head_of_formed(doc, state, words)
        return doc

    def head_of_formed(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`박이름 장관을 단장으로 하는 사절단`, `차관을 위원장으로 하는 위원회`: the person named as
        the object heads the body the clause describes."""
        text = doc_text(doc)
        for k in range(1, len(words) - 2):
            w, verb, body = words[k], words[k + 1], words[k + 2]
            if w.particle not in ("으로", "로") or text[verb.start : verb.end] not in ("하는", "한"):
                continue
            title = self.read_title(w.core) if w.core else None
            if title is None or title.unit or len(body.core) < 3 or self.read_title(body.core):
                continue
            if not (self.is_org(body.core) or body.core.endswith(self.cues.unit_suffixes)):
                continue  # `사절단`, `조사단`: a body formed for the occasion
            person = self._object_before(state, words, k)
            if person is None:
                continue
            org = self._org_word(state, body) or body.core
            if org == body.core:
                self._mention(
                    state,
                    org,
                    "Organization",
                    body.core_start,
                    body.core_end,
                    HEAD_OF_FORMED,
                    self.org_subtype(org),
                )
            ev = evidence(doc, words[0].start, words[-1].end, HEAD_OF_FORMED)
            state.relations.append(Relation(person, "holdsPosition", org, ev, role=title.role))

    def appointed_in_body(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`위원회에서 특별위원으로 박이름이 임명됐다`, `X의 신임 대표로 … 사장이 취임`, `협의회 회장에
        선출된 박이름 …`, `박이름 … 원장을 신임 회장으로 선출`: a post named with the body right
        before it and a verb of appointment; the holder is the person written after the post, else
        the object (or subject) named before it."""
        rule = rulebook()[APPOINTED]
        verb, particles = rule.regex("verb"), rule.words("particles")
        text = doc_text(doc)
        for k, w in enumerate(words):
            if w.particle not in particles or not w.core or k == 0:
                continue
            title = self._ordinal_title(w.core, rule.words("modifiers"))
            if title is None or title.unit or title.former:
                continue
            m = verb.search(text, w.end, words[-1].end)
            if m is None:
                continue
            b = k - 1
            while b > 0 and self.cues.is_title_modifier(text[words[b].start : words[b].end]):
                b -= 1  # `X의 신임 대표로`, `X의 제7대 회장으로`
            body = replace(words[b], particle="") if words[b].particle == "에서" else words[b]
            org = self._org_word(state, body)
            if org is not None:
                person = self._appointee(doc, state, words, b, k, m.start(), m.end())
                people = [person] if person is not None else []
            elif text[words[k - 1].start : words[k - 1].end] in rule.words("another"):
                # `다른 특별위원으로 A …, B … 등이 임명됐다`: another holder of a post named
                # earlier is in the body that holder was named in, and so is every person
                # listed before the verb
                org = self._body_of_post(state, title.role, words[0].start)
                people = self._people_between(state, words[k].end, m.start())
            else:
                continue
            if org is None:
                continue
            ev = evidence(doc, words[0].start, words[-1].end, APPOINTED)
            for person in people:
                state.relations.append(Relation(person, "holdsPosition", org, ev, role=title.role))

    def _body_of_post(self, state: DocState, role: str, before: int) -> str | None:
        """The body in which the post already named someone `role` before this sentence."""
        held = [
            r
            for r in state.relations
            if r.relation == "holdsPosition" and r.role == role and r.evidence.start < before
        ]
        return held[-1].tail if held else None

    def _people_between(self, state: DocState, start: int, end: int) -> list[str]:
        people = sorted(
            (m for m in state.mentions if m.type == "Person" and start <= m.start < end),
            key=lambda m: m.start,
        )
        return list(dict.fromkeys(m.text for m in people))

    def _appointee(
        self, doc: Doc, state: DocState, words: list[Word], b: int, k: int, v_start: int, v_end: int
    ) -> str | None:
        """Who is appointed to the post of words b..k: the first person after the post and before
        the verb (or right after an adnominal verb: `선출된 박이름`), else the nearest person before
        the body whose word (or the title word after it) takes 을/를 or 이/가."""
        text = doc_text(doc)
        after = sorted(
            (m for m in state.mentions if m.type == "Person" and words[k].end <= m.start),
            key=lambda m: m.start,
        )
        if after and (after[0].start < v_start or text[v_end : after[0].start].strip() == ""):
            return after[0].text
        return self._object_before(state, words, b, ("object", "subject"))

    def posts_taken(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`마연출 창업벤처혁신실장이 단장을 맡고`, `초대 회장에는 … 변초안 대표가 선출됐다`,
        `초대 단장은 … 계가안 단장이 맡았다`: someone takes a post in the body the sentence
        (or, failing that, the post) is about — typically one just formed."""
        text = doc_text(doc)
        modifiers = rulebook()[APPOINTED].words("modifiers")
        for k, w in enumerate(words):
            nxt = words[k + 1] if k + 1 < len(words) else None
            # `초대 단장은`, `신임회장으로는`: the modifier is no part of the title
            title = self._ordinal_title(w.core, modifiers) if w.core else None
            if title is None or (title.unit and (title.heads_body or title.unit in self.cues.generic_units)):
                continue
            if w.particle in ("을", "를") and nxt is not None and text[nxt.start : nxt.end].startswith("맡"):
                person = self._person_before(state, words, k)
            elif w.particle in ("은", "는", "에는", "으로는", "에"):
                end = words[-1].end
                if not TAKEN.search(text[w.end : end]):
                    continue
                person = self._person_after(state, words, k)
            else:
                continue
            if person is None:
                continue
            if title.unit:  # `동남권본부장은 … 이사가 맡게 됐다`: the head of the unit fused into the title
                self._unit_mention(state, title, w)
            org = title.unit or self._body_in_focus(doc, state, words, k)
            if org is not None:
                ev = evidence(doc, words[0].start, words[-1].end, "posts.post-taken")
                state.relations.append(Relation(person, "holdsPosition", org, ev, role=title.role))

    def ordinal_posts(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`송복철 제6대 원장이`, `…공단 제5대 이사장에 임명됐다`, `제14대 회장으로 … 대표가 취임`,
        `제3대 김상진 회장의 이임`: a numbered post (the Nth holder) is held in the body fused
        into the title, else the body written right before the number, else the sentence's topic."""
        rule = rulebook()["posts.ordinal-post"]
        ordinal, bare, tail = rule.regex("ordinal"), rule.regex("bare_ordinal"), rule.regex("ordinal_tail")
        for k, w in enumerate(words):
            before_org = self._org_word(state, words[k - 1]) if k > 0 else None
            if ordinal.match(w.core):
                j = k + 1
            elif w.core == "제" and k + 1 < len(words) and tail.match(words[k + 1].core):
                j = k + 2
            elif bare.match(w.core) and before_org:
                j = k + 1  # `경기테크노파크 5대 원장`
            else:
                continue
            if j < len(words) and words[j].core in rule.words("modifiers"):
                j += 1  # `제7대 신임 회장`
            if j >= len(words):
                continue
            person: str | None = None
            title = self._ordinal_title(words[j].core, rule.words("modifiers"))
            if title is None and j + 1 < len(words):
                person = self._person_at(state, words[j])  # `제3대 김상진 회장의`
                title = self._ordinal_title(words[j + 1].core, rule.words("modifiers")) if person else None
                j += 1
            if title is None or title.former:
                continue
            if person is None:
                person = self._ordinal_holder(doc, state, words, k, j)
            if person is None:
                continue
            if title.unit:
                org: str | None = self._canonical(title.unit)
            elif before_org:
                org = before_org
            else:
                org = self._body_in_focus(doc, state, words, k)
            if org is not None:
                ev = evidence(doc, words[0].start, words[-1].end, "posts.ordinal-post")
                state.relations.append(Relation(person, "holdsPosition", org, ev, role=title.role))

    def _ordinal_title(self, core: str, modifiers: tuple[str, ...]) -> TitleRead | None:
        for mark in modifiers:
            if core.startswith(mark) and len(core) > len(mark):
                core = core[len(mark) :]  # `신임회장`
                break
        return self.read_title(core) if core else None

    def _org_word(self, state: DocState, word: Word) -> str | None:
        """The body a word names, when it is a whole organisation name with no particle or 의."""
        if not word.core or word.particle not in ("", "의"):
            return None
        named = [
            m
            for m in state.mentions
            if m.type == "Organization" and m.start <= word.core_start and word.core_end <= m.end
        ]
        return self._canonical(max(named, key=lambda m: m.end - m.start).text) if named else None

    def _person_at(self, state: DocState, word: Word) -> str | None:
        people = [m for m in state.mentions if m.type == "Person" and m.start == word.core_start]
        return people[0].text if people else None

    def _ordinal_holder(self, doc: Doc, state: DocState, words: list[Word], k: int, j: int) -> str | None:
        """Who holds the numbered post of words k..j: the name written right before the number
        (`송복철 제6대 원장이`); after `…으로(는)`/`…에는`, the name that follows (`제14대 회장으로
        성미숙 … 대표가 취임`); after `…에`, the subject named earlier, else the name that follows."""
        adjacent = self._person_at(state, words[k - 1]) if k > 0 else None
        if adjacent:
            return adjacent
        particle = words[j].particle
        if particle in ("으로", "로", "으로는", "로는", "에는"):
            # `… 박이름 원장을 제19대 신임 회장으로 선출`: else the object named before the number
            return self._person_after(state, words, j) or self._object_before(state, words, k)
        if particle == "에":
            # the first name before the number that is not a genitive (`방송인 A씨의 처남인 B …이`)
            for word in words[:k]:
                people = [m for m in state.mentions if m.type == "Person" and m.start == word.core_start]
                if (
                    people
                    and word.particle != "의"
                    and not doc_text(doc)[people[0].end : word.end].endswith("의")
                ):
                    return people[0].text
            return self._person_after(state, words, j)
        return None

    def _object_before(
        self, state: DocState, words: list[Word], k: int, roles: tuple[str, ...] = ("object",)
    ) -> str | None:
        """The person of the nearest object (`박이름 대표를`, `박이름 원장을`; or another of `roles`)
        before word k: the name is that word or one of the two before it."""
        for j in range(k - 1, -1, -1):
            if particle_role(words[j].particle) not in roles:
                continue
            for n in range(j, max(-1, j - 3), -1):
                people = [m for m in state.mentions if m.type == "Person" and m.start == words[n].core_start]
                if people:
                    return people[0].text
            return None
        return None

    def _person_before(self, state: DocState, words: list[Word], k: int) -> str | None:
        """The subject person of the clause before word k (`마연출 …실장이 단장을`)."""
        lo = words[max(0, k - 4)].start
        people = [m for m in state.mentions if m.type == "Person" and lo <= m.start < words[k].start]
        return max(people, key=lambda m: m.start).text if people else None

    def _person_after(self, state: DocState, words: list[Word], k: int) -> str | None:
        """The person named after word k and before the verb (`… 변초안 대표가 선출됐다`)."""
        people = [m for m in state.mentions if m.type == "Person" and words[k].end <= m.start < words[-1].end]
        return min(people, key=lambda m: m.start).text if people else None

    def _body_in_focus(self, doc: Doc, state: DocState, words: list[Word], k: int) -> str | None:
        """The body the sentence is about: its topic (`딥테크 TF는`, `협의회는`), read back to
        the full name written earlier; else the body the post most recently formed or named
        as a task force."""
        for w in words[:k]:
            if particle_role(w.particle) != "subject" or not w.core:
                continue
            named = [
                m for m in state.mentions if m.type == "Organization" and m.start <= w.core_start < m.end + 1
            ]
            if named:
                return self._canonical(max(named, key=lambda m: m.end - m.start).text)
            if len(w.core) >= 3 and w.core.endswith(self.cues.unit_suffixes) and not self.read_title(w.core):
                # `재난치안팀은 … 이용석 정책관이 팀장을 맡는다`: the unit the sentence is about
                self._mention(
                    state, w.core, "Organization", w.core_start, w.core_end, "posts.post-taken", "unit"
                )
                return w.core
            topic = doc_text(doc)[words[0].start : w.core_end].replace(" ", "")
            known = [
                a
                for a in state.aliases
                if a.evidence.start < w.start and topic.endswith(a.alias.replace(" ", ""))
            ]
            if known:  # `(이하 ‘딥테크 TF’)` … `딥테크 TF는`: the longest alias that fits
                return self._canonical(max(known, key=lambda a: len(a.alias)).name)
            break
        formed = [
            m
            for m in state.mentions
            if m.type == "Organization" and m.subtype == "taskforce" and m.start < words[0].start
        ]
        if formed:
            return self._canonical(max(formed, key=lambda m: m.start).text)
        # `초대 이사장으로는 …가 취임했다` in a post about a body's launch: the body the post is about
        return self._topic_body(state, doc)
