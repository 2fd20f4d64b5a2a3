"""Posts taken in a body the post is about, once every name in the post is known.

`마연출 창업벤처혁신실장이 단장을 맡고`, `초대 회장에는 … 변초안 대표가 선출됐다`,
`협의회는 … 심실습 교수가 공동위원장을 맡았다`: the body is the sentence's topic, read back
to the full name (or alias) written earlier, else the task force the post last named.
Runs after the quoted names (kg_programs), since new bodies are usually written in quotes.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.components.bodies import BodyRules
from kg.extract.state import DocState, doc_text, ensure_extensions, evidence
from kg.extract.words import Word, particle_role, split_words
from kg.model import Relation

TAKEN = re.compile(r"(?:맡았|맡는다|맡고|선출됐|선출되었|선임됐|선임되었|임명됐|취임했)")


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
        return doc

    def posts_taken(self, doc: Doc, state: DocState, words: list[Word]) -> None:
        """`마연출 창업벤처혁신실장이 단장을 맡고`, `초대 회장에는 … 변초안 대표가 선출됐다`,
        `초대 단장은 … 계가안 단장이 맡았다`: someone takes a post in the body the sentence
        (or, failing that, the post) is about — typically one just formed."""
        text = doc_text(doc)
        for k, w in enumerate(words):
            nxt = words[k + 1] if k + 1 < len(words) else None
            title = self.read_title(re.sub(r"^초대\s*", "", w.core)) if w.core else None
            if title is None or title.unit:
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
            org = self._body_in_focus(doc, state, words, k)
            if org is not None:
                ev = evidence(doc, words[0].start, words[-1].end, "posts.post-taken")
                state.relations.append(Relation(person, "holdsPosition", org, ev, role=title.role))

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
