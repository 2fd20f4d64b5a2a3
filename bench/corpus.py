"""Synthetic, realistic Korean press-release posts for benchmarks (not for accuracy tests).

    from bench.corpus import generate_posts
    for post in generate_posts(10_000, seed=7):
        ...

Each post is ~1,500 characters in the shape of a ministry/agency 보도자료: a title, a
subtitle, a lead sentence (who, when, where, what), body paragraphs with participants,
programs and figures, a quote by an official with a title, and a closing line. Names
come from the authority lexicon (data/lexicon: ministries, agencies, places, titles,
surnames), so extraction does real work on them; people and companies are made up.
Post i depends only on (seed, i): the first 1,000 posts of a 10,000-post corpus are the
1,000-post corpus, which makes scaling runs comparable. Written for kg; no real text.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from kg.model import Post

LEXICON = Path(__file__).resolve().parents[1] / "data" / "lexicon"
TARGET_CHARS = 1640  # stop adding paragraphs past this: posts average ~1,500 characters

GIVEN = "민서준영지현우진호수연하은도윤서윤재성혜경태희상철미정동훈예린승민가은"
COMPANY_HEAD = (
    "바람꽃",
    "새벽별",
    "한빛",
    "누리",
    "온새미로",
    "마루",
    "다온",
    "여울",
    "가람",
    "라온",
    "해솔",
    "별하",
)
COMPANY_TAIL = (
    "정밀",
    "테크",
    "바이오",
    "로보틱스",
    "푸드",
    "소프트",
    "에너지",
    "랩스",
    "모빌리티",
    "헬스케어",
)
LEGAL = ("㈜", "주식회사 ", "", "")
TOPICS = (
    ("스마트공장 보급·확산 사업", "간담회", "meeting"),
    ("예비창업패키지", "설명회", "briefing"),
    ("청년창업사관학교", "데모데이", "contest"),
    ("소상공인 디지털 전환 지원사업", "현장 방문", "visit"),
    ("글로벌 기업 협업 프로그램", "업무협약식", "signing"),
    ("지역 창업 거점 육성사업", "출범식", "launch"),
    ("딥테크 팁스", "투자설명회", "briefing"),
    ("수출바우처사업", "박람회", "festival"),
    ("재도전 성공 패키지", "성과 공유회", "ceremony"),
    ("중소기업 기술혁신개발사업", "협의회", "meeting"),
)
PEOPLE = ("40여 명", "100여 명", "30여 명", "250여 명")
MONEY = ("3,000억원", "250억원", "120억원", "45억원")
FIRMS = ("120개사", "30여 곳", "1만 2천여 개사", "500개사")


def _has_final(word: str) -> bool:
    """Whether the last syllable has a final consonant (받침), for choosing particles."""
    for ch in reversed(word):
        if "가" <= ch <= "힣":
            return (ord(ch) - 0xAC00) % 28 != 0
        if ch.isdigit():
            return ch in "0136789"
    return False


def j(word: str, pair: str) -> str:
    """`word` with the particle of `pair` ("은는", "이가", "을를", "과와", "으로로") that fits it."""
    with_final, without = {
        "은는": ("은", "는"),
        "이가": ("이", "가"),
        "을를": ("을", "를"),
        "과와": ("과", "와"),
        "으로로": ("으로", "로"),
    }[pair]
    return word + (with_final if _has_final(word) else without)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, list[str]]:
    def names(file: str, kind: str | None = None) -> list[str]:
        out = []
        for line in (LEXICON / file).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if kind is None or rec.get("subtype") == kind:
                    out.append(rec["name"])
        return out

    surnames = [
        s.strip()
        for s in (LEXICON / "surnames.txt").read_text(encoding="utf-8").splitlines()
        if s.strip() and not s.startswith("#")
    ]
    return {
        "ministry": [n for n in names("government.jsonl") if n.endswith("부")],
        "agency": names("agencies.jsonl", "agency") or names("agencies.jsonl"),
        "place": [n for n in names("places.jsonl") if 2 <= len(n) <= 6],
        "surname": [s for s in surnames if len(s) == 1][:60],
    }


class _Writer:
    """One post's random choices, kept together so its sentences agree with each other."""

    def __init__(self, rng: random.Random) -> None:
        lex = _lexicon()
        self.rng = rng
        self.ministry = rng.choice(lex["ministry"])
        self.agencies = rng.sample(lex["agency"], 3)
        self.places = rng.sample(lex["place"], 2)
        self.program, self.event, self.kind = rng.choice(TOPICS)
        self.day = date(2017, 1, 1) + timedelta(days=rng.randrange(9 * 365))
        self.people = [self.person() for _ in range(3)]
        self.companies = [self.company() for _ in range(2)]

    def person(self) -> str:
        given = self.rng.sample(GIVEN, 2)
        return self.rng.choice(_lexicon()["surname"]) + "".join(given)

    def company(self) -> str:
        return self.rng.choice(LEGAL) + self.rng.choice(COMPANY_HEAD) + self.rng.choice(COMPANY_TAIL)

    def when(self, offset: int = 0) -> str:
        d = self.day + timedelta(days=offset)
        return f"{d.month}월 {d.day}일({'월화수목금토일'[d.weekday()]})"

    def paragraphs(self) -> list[str]:
        r, m, (a1, a2, a3), (p1, p2) = self.rng, self.ministry, self.agencies, self.places
        (n1, n2, n3), (c1, c2) = self.people, self.companies
        ev, prog = self.event, self.program
        pool = [
            f"□ {j(m, '은는')} {self.when()} {p1}에서 {a1}, {j(a2, '과와')} 함께 ‘{prog} {ev}’{j(ev, '을를')[len(ev) :]} "
            f"개최했다고 밝혔다. 이 자리에는 {m} {n1} 장관이 참석했다.",
            f" ㅇ 이번 {j(ev, '은는')} {prog}의 올해 추진 방향을 현장과 공유하기 위해 마련됐으며, "
            f"{a3}, {c1}, {c2} 등 관계자 {r.choice(PEOPLE)}이 참석했다.",
            f"□ {a1} {n2} {r.choice(('이사장', '원장', '사장'))}은 “{j(prog, '을를')} 통해 {r.choice(MONEY)} "
            f"규모의 성과를 냈다”며 “현장의 목소리를 반영해 지원을 넓히겠다”고 말했다.",
            f" ㅇ {c1}의 {n3} 대표는 “{prog} 덕분에 {p2} 지역에서 새로운 판로를 찾았다”고 말했다.",
            f"□ {j(m, '은는')} {self.when(7)}부터 {j(a2, '과와')} {p2}에 현장지원단을 꾸려 {r.choice(MONEY)}을 추가로 "
            f"지원할 계획이다.",
            f" ㅇ 지원단은 {a2} 안에 설치되며, {prog} 참여기업의 사후관리와 인력 양성을 맡는다.",
            f"□ 한편, {j(a3, '은는')} {self.when(-30)} {p1}에서 {j(c2, '과와')} 업무협약을 맺고 공동 실증을 추진하기로 했다.",
            f" ㅇ 협약에 따라 두 기관은 {r.choice(MONEY)}을 투입해 기술 검증과 해외 진출을 돕는다.",
            f"□ {n1} 장관은 “{j(prog, '은는')} 중소기업이 인력난과 원가 부담을 함께 넘을 수 있는 가장 "
            f"현실적인 해법”이라며 “끝까지 지원하겠다”고 강조했다.",
            f" ㅇ 자세한 내용은 {a1} 누리집 공지사항에서 확인할 수 있으며, 신청은 {self.when(14)}까지 받는다.",
            f"□ {j(prog, '은는')} 지난해 {r.choice(MONEY)}의 예산으로 {r.choice(FIRMS)}를 지원했으며, 참여기업의 "
            f"매출은 평균 {r.randint(5, 40)}% 늘고 고용은 {r.randint(2, 15)}% 증가한 것으로 나타났다.",
            f" ㅇ 특히 {p2} 소재 {j(c2, '은는')} {prog} 지원을 받은 뒤 해외 바이어와 {r.randint(2, 9)}건의 수출 계약을 맺었다.",
            f"□ 올해 {j(prog, '은는')} 서류 평가와 발표 평가를 거쳐 {r.choice(FIRMS)}를 선정하며, 선정된 기업에는 "
            f"사업화 자금과 전문가 멘토링, 판로 개척을 묶어 지원한다.",
            f" ㅇ {j(a1, '은는')} 선정 기업을 대상으로 {self.when(40)} {p1}에서 역량 강화 교육을 열 예정이다.",
            f"□ {j(m, '은는')} 또 {j(a3, '과와')} 함께 {p2} 지역 중소기업 {r.choice(FIRMS)}를 대상으로 현장 애로 조사를 "
            f"실시하고, 그 결과를 하반기 제도 개선에 반영하기로 했다.",
            f" ㅇ {a2} {self.person()} 본부장은 “지역 기업이 체감할 수 있는 변화를 만들겠다”고 밝혔다.",
            f"□ 이날 {ev}에서는 {c1}, {c2} 등 참여기업의 우수 사례 발표와 함께 전문가 토론이 이어졌다.",
            f" ㅇ 토론에 참여한 {self.person()} 교수는 “{prog}의 성과를 지역으로 넓히려면 민간 투자와의 연계가 "
            f"중요하다”고 조언했다.",
        ]
        lead, rest = pool[:2], pool[2:]
        r.shuffle(rest)
        return lead + rest


def make_post(index: int, seed: int = 0) -> Post:
    """Post number `index` of the corpus for `seed` (the same for any corpus size)."""
    rng = random.Random(f"kg-bench-{seed}-{index}")
    w = _Writer(rng)
    title = f"{w.ministry}, {w.places[0]}에서 {w.program} {w.event} 개최"
    lines = [title, f"- {w.agencies[0]}·{j(w.agencies[1], '과와')} {w.program} 확산 방안 논의 -", ""]
    for paragraph in w.paragraphs():
        if sum(len(line) for line in lines) >= TARGET_CHARS:
            break
        lines += [paragraph, ""]
    text = "\n".join(lines).strip() + "\n"
    return Post(
        id=f"bench-{seed}-{index:06d}",
        text=text,
        title=title,
        url=f"https://example.org/bench/{seed}/{index}",
        published=w.day,
        publisher=w.ministry,
        category="보도자료",
        source=f"bench.corpus:{seed}:{index}",
        hashtags=(w.program.replace(" ", ""), w.event.replace(" ", "")),
    )


def generate_posts(n: int, seed: int = 0, start: int = 0) -> Iterator[Post]:
    """`n` posts, deterministic for `seed`; post i is the same whatever `n` is."""
    for index in range(start, start + n):
        yield make_post(index, seed)


def write_jsonl(path: Path, n: int, seed: int = 0) -> Path:
    """The corpus as a JSON Lines file `kg ingest` reads (id, text and metadata per line)."""
    with path.open("w", encoding="utf-8") as out:
        for post in generate_posts(n, seed):
            rec = {
                "id": post.id,
                "text": post.text,
                "title": post.title,
                "url": post.url,
                "published": post.published.isoformat() if post.published else None,
                "publisher": post.publisher,
                "category": post.category,
                "hashtags": list(post.hashtags),
            }
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path
