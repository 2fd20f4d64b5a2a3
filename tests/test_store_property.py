"""Property: any sequence of ingest / edit / remove leaves the store equal to a rebuild from
scratch of the posts still present (named graphs, merged default graph, derived intervals)."""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build.pipeline import ensure_reference_graphs, ingest
from kg.model import Extraction, Post
from kg.store import open_store
from kg.store.base import bookkeeping_graphs

TEXTS = {
    "a": [
        "중소벤처기업부(장관 오영주, 이하 중기부)는 3일 창업진흥원과 간담회를 개최했다.",
        "중소벤처기업부(장관 오영주, 이하 중기부)는 3일 창업진흥원, 기술보증기금과 간담회를 개최했다.",
    ],
    "b": [
        "중소벤처기업부(장관 오영주)는 10일 ‘예비창업패키지’ 설명회를 열었다.",
        "중소벤처기업부(장관 오영주)와 창업진흥원은 10일 ‘초기창업패키지’ 설명회를 열었다.",
    ],
    "c": [
        "행정안전부(장관 이상민)와 소상공인시장진흥공단(이사장 박성효)은 업무협약을 체결했다.",
        "행정안전부(장관 이상민)는 소상공인시장진흥공단과 업무협약을 체결했다.",
    ],
    "d": [
        "중소벤처기업부 창업정책과 김민수 과장은 12일 현장을 방문했다.",
        "중소벤처기업부 창업정책과 김민수 과장은 15일 현장을 방문했다.",
    ],
}
DAYS = {"a": 3, "b": 10, "c": 20, "d": 16}


def post(pid: str, version: int) -> Post:
    return Post(id=pid, text=TEXTS[pid][version], published=date(2024, 5, DAYS[pid] + version), title=pid)


@pytest.fixture(scope="module")
def extract(extractor):
    cache: dict[tuple[str, str], Extraction] = {}

    def run(posts: list[Post]) -> list[Extraction]:
        out = []
        for p in posts:
            key = (p.id, p.content_hash)
            if key not in cache:
                cache[key] = extractor.extract(p)
            out.append(cache[key])
        return out

    return run


def snapshot(store) -> set[str]:
    """The data: every quad but those of kg's bookkeeping graphs (generation, change log)."""
    bookkeeping = bookkeeping_graphs()
    return {
        f"{q.subject} {q.predicate} {q.object} {q.graph_name}"
        for q in store.db.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in bookkeeping)
    }


OPS = st.lists(
    st.tuples(st.sampled_from(["ingest", "remove"]), st.sampled_from(sorted(TEXTS)), st.integers(0, 1)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_store_equals_rebuild(extract, ops) -> None:
    store = open_store("memory")
    ensure_reference_graphs(store)  # a rebuild loads them too, even with no posts
    live: dict[str, Post] = {}
    for op, pid, version in ops:
        if op == "ingest":
            p = post(pid, version)
            ingest(store, [p], extract)
            live[pid] = p
        else:
            store.remove_posts([f"https://kg.example.org/id/post/{pid}"])
            live.pop(pid, None)
    rebuilt = open_store("memory")
    ingest(rebuilt, list(live.values()), extract)
    assert snapshot(store) == snapshot(rebuilt)
