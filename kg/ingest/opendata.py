"""Open-data API payloads saved as JSON: K-Startup announcements and contents, 기업마당 programs.

These records state Program → operating agency → responsible ministry as fields, so
they need no NLP for those facts: each record becomes a Post whose `structured` holds
the named roles with the JSON field each came from, and `kg.build.structured` turns them into
facts. The record's descriptive fields also become the post text, for extraction.
The field mapping is documented in docs/ingest.md; SCHEMAS below is that table in code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.ingest.decode import NotText, decode_bytes, read_limited
from kg.model import InputError, Post
from kg.text.clean import clean_text
from kg.text.dates import parse_date


@dataclass(frozen=True)
class Field:
    name: str  # the JSON field
    label: str  # its Korean label, written before the value in the post text


@dataclass(frozen=True)
class Schema:
    name: str  # recorded as structured["schema"]
    key: str  # a field only this kind of record has
    id_fields: tuple[str, ...]
    id_prefix: str
    title: tuple[str, ...]
    program: tuple[str, ...]  # first non-empty wins
    agency: tuple[str, ...]
    ministry: tuple[str, ...]
    published: tuple[str, ...]
    category: tuple[str, ...]
    url: tuple[str, ...]
    hashtags: tuple[str, ...]  # comma-separated lists, or single values used as tags
    attachments: tuple[str, ...]
    lines: tuple[Field, ...]  # written into the text, in this order, as `label(field): value`
    body: tuple[str, ...]  # long descriptive fields (may hold HTML), after the lines


KSTARTUP_ANNOUNCEMENT = Schema(
    name="kstartup-announcement",
    key="biz_pbanc_nm",
    id_fields=("pbanc_sn",),
    id_prefix="kstartup-pbanc-",
    title=("biz_pbanc_nm",),
    program=("intg_pbanc_biz_nm", "biz_pbanc_nm"),
    agency=("pbanc_ntrp_nm",),
    ministry=("sprv_inst",),
    published=("pbanc_rcpt_bgng_dt",),
    category=("supt_biz_clsfc",),
    url=("detl_pg_url",),
    hashtags=("supt_biz_clsfc", "supt_regin"),
    attachments=(),
    lines=(
        Field("intg_pbanc_biz_nm", "통합공고 사업명"),
        Field("pbanc_ntrp_nm", "공고기관"),
        Field("sprv_inst", "소관기관"),
        Field("biz_prch_dprt_nm", "담당부서"),
        Field("supt_biz_clsfc", "지원분야"),
        Field("supt_regin", "지원지역"),
        Field("pbanc_rcpt_bgng_dt", "접수 시작일"),
        Field("pbanc_rcpt_end_dt", "접수 마감일"),
        Field("aply_trgt_ctnt", "신청대상"),
    ),
    body=("pbanc_ctnt",),
)

KSTARTUP_CONTENT = Schema(
    name="kstartup-content",
    key="titl_nm",
    id_fields=("cntnt_sn", "content_sn"),
    id_prefix="kstartup-content-",
    title=("titl_nm",),
    program=(),
    agency=(),
    ministry=(),
    published=("fstm_reg_dt",),
    category=("clss_cd_nm", "clss_cd"),
    url=("detl_pg_url",),
    hashtags=("hash_tag",),
    attachments=("file_nm",),
    lines=(),
    body=("ctnt",),
)

BIZINFO_PROGRAM = Schema(
    name="bizinfo-program",
    key="pblancNm",
    id_fields=("pblancId",),
    id_prefix="bizinfo-",
    title=("pblancNm",),
    program=("pblancNm",),
    agency=("excInsttNm",),
    ministry=("jrsdInsttNm",),
    published=("creatPnttm", "reqstBeginEndDe"),
    category=("pldirSportRealmLclasCodeNm",),
    url=("pblancUrl",),
    hashtags=("hashtags",),
    attachments=("fileNm", "printFileNm"),
    lines=(
        Field("jrsdInsttNm", "소관부처"),
        Field("excInsttNm", "수행기관"),
        Field("pldirSportRealmLclasCodeNm", "지원분야"),
        Field("reqstBeginEndDe", "신청기간"),
        Field("trgetNm", "지원대상"),
        Field("refrncNm", "문의처"),
    ),
    body=("bsnsSumryCn",),
)

SCHEMAS: tuple[Schema, ...] = (KSTARTUP_ANNOUNCEMENT, KSTARTUP_CONTENT, BIZINFO_PROGRAM)

# sprv_inst sometimes holds a kind of body rather than its name: no ministry fact then
_KINDS_NOT_NAMES = frozenset(
    {"공공기관", "민간", "민간기관", "지자체", "교육기관", "중앙부처", "기타", "공기업"}
)
_YEAR = re.compile(r"^\s*(?:\[[^\]]{1,20}\]\s*)*(?:20\d{2}|\d{2})\s*년도?\s*(?:\(?(?:상|하)반기\)?\s*)?")
_NOTICE_TAIL = re.compile(
    r"\s*(?:\((?:재|추가|연장)?공고\)|(?:추가|재|연장|변경)?\s*(?:모집|선정|참가|참여기업\s*모집)?\s*(?:공고|안내))\s*$"
)
_PROGRAM_WORD = re.compile(r"(?:사업|패키지|프로그램|바우처|사관학교|아카데미|챌린지|지원단|펀드)$")
_TAGS = re.compile(r"<[^>]+>")


def program_name(title: str) -> str:
    """`2026년 예비창업패키지 예비창업자 모집 공고` → `예비창업패키지`.

    A notice title less its region tag and year, cut after the last word that names a
    program (…사업, …패키지, …프로그램); else less its notice words (모집, 공고, 안내).
    """
    name = _YEAR.sub("", title).strip()
    words = name.split()
    last = max((i for i, w in enumerate(words) if _PROGRAM_WORD.search(w)), default=None)
    if last is not None:
        return " ".join(words[: last + 1])
    for _ in range(2):
        name = _NOTICE_TAIL.sub("", name).strip()
    return name or title.strip()


def _value(rec: dict[str, Any], field: str) -> str:
    value = rec.get(field)
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _first(rec: dict[str, Any], fields: tuple[str, ...]) -> tuple[str, str] | None:
    for field in fields:
        value = _value(rec, field)
        if value:
            return field, value
    return None


def _html_text(value: str) -> str:
    if "<" not in value:
        return value
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(f"<div>{value}</div>")
    for br in tree.css("br, p, li, div"):
        br.insert_after("\n")
    return tree.text(separator="") if tree.body is not None else _TAGS.sub(" ", value)


def schema_of(rec: dict[str, Any]) -> Schema | None:
    return next((s for s in SCHEMAS if s.key in rec), None)


def record_to_post(rec: Any, source: str) -> Post | InputError:
    """One API record as a Post with its structured facts; an InputError when it is not one."""
    if not isinstance(rec, dict):
        return InputError(source, "expected a JSON object (an API record)")
    schema = schema_of(rec)
    if schema is None:
        keys = ", ".join(s.key for s in SCHEMAS)
        return InputError(source, f"not a known open-data record (no field {keys})")
    found_id = _first(rec, schema.id_fields)
    if found_id is None:
        return InputError(source, f"{schema.name} record without {' or '.join(schema.id_fields)}")
    title_hit = _first(rec, schema.title)
    if title_hit is None:
        return InputError(source, f"{schema.name} record without {schema.title[0]}")
    title = title_hit[1]
    lines = [title]
    for field in schema.lines:
        value = _value(rec, field.name)
        if value:
            lines.append(f"{field.label}({field.name}): {value}")
    for field_name in schema.body:
        body = _value_raw(rec, field_name)
        if body:
            lines.append("")
            lines.append(clean_text(_html_text(body)).strip())
    text = "\n".join(lines).strip()

    facts: list[dict[str, str]] = []
    program = _first(rec, schema.program)
    if program:
        name = program[1] if program[0] != schema.title[0] else program_name(program[1])
        facts.append({"role": "program", "name": name, "field": program[0]})
    for role, fields in (("agency", schema.agency), ("ministry", schema.ministry)):
        hit = _first(rec, fields)
        if hit and hit[1] not in _KINDS_NOT_NAMES:
            facts.append({"role": role, "name": hit[1], "field": hit[0]})
    published = None
    for field_name in schema.published:
        value = _value(rec, field_name)
        published = parse_date(value[:10]) if value else None
        if published:
            break
    url = _first(rec, schema.url)
    category = _first(rec, schema.category)
    tags: list[str] = []
    for field_name in schema.hashtags:
        tags += [t.strip().lstrip("#").replace(" ", "_") for t in re.split(r"[,;]", _value(rec, field_name))]
    attachments = [v for f in schema.attachments if (v := _value(rec, f))]
    return Post(
        id=f"{schema.id_prefix}{found_id[1]}",
        text=text,
        title=title,
        url=url[1] if url else None,
        published=published,
        category=category[1] if category else None,
        source=source,
        hashtags=tuple(dict.fromkeys(t for t in tags if t)),
        attachments=tuple(attachments),
        structured={"schema": schema.name, "facts": facts} if facts else None,
    )


def _value_raw(rec: dict[str, Any], field: str) -> str:
    value = rec.get(field)
    return value if isinstance(value, str) else ""


def records(payload: Any) -> list[Any] | None:
    """The record list of a saved API response, in any of the envelopes these APIs use."""
    if isinstance(payload, list):
        return payload
    if not isinstance(payload, dict):
        return None
    if "data" in payload and isinstance(payload["data"], list):  # K-Startup (odcloud envelope)
        return payload["data"]
    if "jsonArray" in payload:  # 기업마당
        inner = payload["jsonArray"]
        if isinstance(inner, dict):
            inner = inner.get("item", [])
        return inner if isinstance(inner, list) else [inner]
    body = payload.get("response", {}).get("body") if isinstance(payload.get("response"), dict) else None
    if isinstance(body, dict):  # data.go.kr envelope
        items = body.get("items")
        if isinstance(items, dict):
            items = items.get("item", [])
        if items in ("", None):
            return []
        return items if isinstance(items, list) else [items]
    if schema_of(payload) is not None:  # a single record
        return [payload]
    return None


def read_payload(data: bytes, source: str) -> Iterator[Post | InputError]:
    try:
        payload = json.loads(decode_bytes(data))
    except NotText as exc:
        yield InputError(source, str(exc))
        return
    except json.JSONDecodeError as exc:
        yield InputError(source, f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
        return
    except RecursionError:
        yield InputError(source, "malformed JSON (nested too deeply)")
        return
    found = records(payload)
    if found is None:
        yield InputError(source, "not an open-data payload (no data / jsonArray / response.body.items)")
        return
    if not found:
        yield InputError(source, "empty: the payload holds no records")
        return
    for n, rec in enumerate(found, 1):
        yield record_to_post(rec, f"{source}#{n}")


def read_json(path: Path) -> Iterator[Post | InputError]:
    try:
        data = read_limited(path)
    except NotText as exc:
        yield InputError(str(path), str(exc))
        return
    yield from read_payload(data, str(path))
