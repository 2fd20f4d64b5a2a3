"""What a user's query is and whether it may run: a bounded scan of the text, before any parser.

A query reaches the store only after this scan has measured it: its size, how deeply its
brackets nest, and whether it could ask the store to contact another host (SERVICE; LOAD in
an update). The scan is linear, keeps no recursion and never runs a grammar, so a hostile
text cannot make it overflow or take long; what it lets through is shallow and small enough
for the store's own recursive parser (Oxigraph's overflows its thread's stack at a few
thousand nested brackets, which kills the server).

Why a scan and not rdflib's parser (measured, issue 12): rdflib takes 40–80 ms for a typical
1 KB query, raises RecursionError at 40 nested braces, 28 nested parentheses or 100 triple
patterns in a row, and needs 71 s for 3,000 triple patterns — a gate that slow is itself a
way to exhaust the API. Its algebra is used in the tests instead, as the oracle the scan is
compared with.

How the scan reads a query the way Oxigraph's parser does:

* `\\uXXXX` and `\\UXXXXXXXX` escapes are replaced first, anywhere in the text (SPARQL 1.1
  §19.2; Oxigraph and rdflib do the same), so an escaped keyword is seen as the keyword.
* Strings, comments and IRIs are skipped with the grammar's own terminals. `<` opens an IRI
  except where the grammar has the less-than operator: inside an expression, after a
  complete operand. Which brackets hold expressions is tracked (FILTER, BIND, function
  calls, the projection, GROUP/ORDER BY, HAVING); a `<…>` there that could be read either
  way and would change what is skipped (it holds `'` or `#`) is refused as ambiguous.
* Oxigraph matches keywords by their letters alone, without a word boundary (`trueSERVICE`
  is `true` then `SERVICE`; an undeclared prefix makes `service:x` the keyword and the IRI
  `:x`). So the letters S-E-R-V-I-C-E (and L-O-A-D in an update) count wherever they stand in
  a bare word or in a prefix before `:`, in any case; only variable names and the local part
  of a prefixed name (`schema:serviceType`), which the parser always reads whole, are exempt.
  SERVICE is the only keyword holding those letters, so the only false alarms are prefixes
  that contain the word (write the IRI in full instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.store.base import QueryRefused, SparqlError

MAX_QUERY_BYTES = 64 * 1024
MAX_DEPTH = 64
# Operators and pattern separators: the parser chains each into one more level of its query
# tree (`a/b/c/…`, `?x + 1 + 1 …`, `OPTIONAL {…} OPTIONAL {…} …`, `?s ?p ?o1, ?o2, …`), so a
# long flat query overflows like a deep one. Measured on Oxigraph 0.5.13's server threads: a
# path of 2,048 steps, 1,920 OPTIONALs, 2,048 objects after one predicate or 6,900 `+`
# crash it (each well under 64 KB); nesting crashes it from 830 levels of FILTER EXISTS
# {…}. 1,000 steps and 64 levels together use at most ~60 % of that stack.
MAX_STEPS = 1000


class QueryTooLarge(SparqlError):
    """The query text is longer than the endpoint accepts."""


class QueryTooDeep(SparqlError):
    """The query nests brackets (or unary operators) deeper than the endpoint accepts, or
    chains more operators than its store can parse."""


@dataclass(frozen=True)
class QueryInfo:
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None for an update or unknown text
    is_update: bool
    has_service: bool  # a SERVICE clause, however spelled
    has_dataset: bool  # FROM or FROM NAMED in the query itself
    loads: bool  # an update with LOAD (fetches a document from a URL)
    depth: int  # deepest nesting of (), {}, [] and unary operators
    steps: int  # operators and pattern separators (see MAX_STEPS)
    size: int  # bytes (UTF-8)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_QUERY_BYTES
    max_depth: int = MAX_DEPTH
    max_steps: int | None = MAX_STEPS  # None: no limit (updates: INSERT DATA lists many triples)


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
PROLOGUE = ("BASE", "PREFIX", "VERSION")

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# the grammar's terminals (SPARQL 1.1 §19.8; PN_CHARS_BASE as Oxigraph writes it)
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}][{_CHARS}]*(?:\.+[{_CHARS}]+)*"
_LOCAL = rf"(?:[{_CHARS_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\.+(?:[{_CHARS}:]|{_PLX})+)?"
_VARNAME = rf"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*"""'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r'|"(?:[^"\\\n\r]|\\.)*")',
            rf"(?P<var>[?$]{_VARNAME})",
            rf"(?P<bnode>_:(?:[{_CHARS_U}0-9])(?:[{_CHARS}.]*[{_CHARS}])?)",
            rf"(?P<pname>(?P<prefix>{_PREFIX})?:(?:{_LOCAL})?)",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)",
            rf"(?P<word>[{_BASE}][{_CHARS}]*)",
            r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
            r"(?P<op>\^\^|&&|\|\||!=|<=|>=|\{\||\|\}|<<|>>|.)",
        ]
    ),
    re.DOTALL,
)
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')

# words that open a bracket holding an expression (besides function names, which are any
# other word before `(`): FILTER(…), BIND(…), HAVING(…), ORDER/GROUP BY (…)
_NOT_CALLS = {"A", "VALUES", "UNDEF", "TRUE", "FALSE"}
# clauses whose parentheses hold expressions even after a variable: the projection, GROUP BY,
# ORDER BY and HAVING
_EXPRESSION_CLAUSES = {"SELECT", "BY", "HAVING"}
_CLAUSE_ENDS = {"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"}
_OPERANDS = ("var", "string", "number", "pname", "iri", "lang", "bnode")
_STEP_OPS = {".", ";", "/", "|", "^", "&&", "||", "+", "-", "*", "!", "=", "!=", "<", ">", "<=", ">="}
_STEP_WORDS = ("OPTIONAL", "MINUS", "UNION", "BIND", "FILTER", "EXISTS", "GRAPH", "SERVICE")


def unescape(text: str) -> str:
    """Replace `\\u`/`\\U` codepoint escapes the way the parsers do before parsing."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group(0)
        return chr(code)

    return _ESCAPE.sub(char, text)


@dataclass
class _Frame:
    kind: str  # "(" of an expression: "expr"; other brackets: "(", "{", "["
    clause: str | None = None  # SELECT / BY / HAVING clause open at this level


@dataclass
class _Scan:
    text: str
    words: list[str] = field(default_factory=list)  # bare words, upper-cased, in order
    service_at: int | None = None
    load_at: int | None = None
    depth: int = 0
    steps: int = 0


def scan(text: str, limits: Limits | None = None) -> QueryInfo:
    """Measure a query and find what it asks for; raises QueryTooLarge, QueryTooDeep and
    QueryRefused (an ambiguous `<`)."""
    limits = limits or Limits()
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise QueryTooLarge(
            f"the query is {size:,} bytes; this endpoint accepts at most {limits.max_bytes:,} bytes"
        )
    state = _run(unescape(text), limits.max_depth)
    if limits.max_steps is not None and state.steps > limits.max_steps:
        raise QueryTooDeep(
            f"the query chains {state.steps:,} operators and pattern separators; this endpoint "
            f"accepts at most {limits.max_steps:,} (split it, or use VALUES or IN lists)"
        )
    words = state.words
    form: str | None = None
    is_update = False
    for w in words:
        if w.startswith(PROLOGUE):
            continue
        form = next((f for f in QUERY_FORMS if w.startswith(f)), None)
        is_update = form is None and w.startswith(UPDATE_KEYWORDS)
        break
    return QueryInfo(
        form=form,
        is_update=is_update,
        has_service=state.service_at is not None,
        has_dataset=any("FROM" in w for w in words),
        loads=is_update and state.load_at is not None,
        depth=state.depth,
        steps=state.steps,
        size=size,
    )


def refuse(info: QueryInfo) -> None:
    """Refuse what may not run: SERVICE anywhere, LOAD in an update (both reach other hosts)."""
    if info.has_service:
        raise QueryRefused("SERVICE (federated query to other hosts) is disabled on this endpoint")
    if info.loads:
        raise QueryRefused("LOAD (reading a document from a URL) is disabled on this endpoint")


def check(text: str, limits: Limits | None = None) -> QueryInfo:
    """`scan`, then `refuse`."""
    info = scan(text, limits)
    refuse(info)
    return info


def _position(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {col}"


def _run(text: str, max_depth: int) -> _Scan:
    state = _Scan(text)
    stack: list[_Frame] = [_Frame("{")]  # the top level reads like the inside of a group
    prev = ""  # kind of the previous significant token
    prev_text = ""
    before_prev = ""  # text of the token before that
    unary = 0  # unary operators in a row before an operand (each nests in the parser)
    pos = 0
    end = len(text)
    while pos < end:
        top = stack[-1]
        in_expr = top.kind == "expr"
        if text.startswith("<", pos):
            kind, value, nxt = _angle(text, pos, in_expr and _completes_operand(prev, prev_text))
        else:
            m = _TOKEN.match(text, pos)
            assert m is not None  # the last alternative matches any character
            kind = m.lastgroup or "op"
            if kind == "prefix":
                kind = "pname"
            value, nxt = m.group(0), m.end()
        pos_token = pos
        pos = nxt
        if kind in ("ws", "comment"):
            continue
        if kind == "word":
            _letters(state, value, pos_token)
        elif kind == "pname":
            prefix = value.split(":", 1)[0]
            _letters(state, prefix, pos_token)
        elif kind == "lang":
            _letters(state, value[1:], pos_token)
        if kind == "op" and (value in _STEP_OPS or (value == "," and not in_expr)):
            state.steps += 1
        if kind == "word":
            upper = value.upper()
            state.words.append(upper)
            if any(w in upper for w in _STEP_WORDS):
                state.steps += 1
            if upper in _EXPRESSION_CLAUSES and not in_expr:
                top.clause = upper
            elif upper in _CLAUSE_ENDS and not in_expr:
                top.clause = None
        if kind == "op" and value in ("(", "{", "[", "{|"):
            stack.append(_Frame(_open_kind(value, in_expr, top, prev, prev_text, before_prev)))
            state.depth = max(state.depth, len(stack) - 1 + unary)
            if state.depth > max_depth:
                raise QueryTooDeep(
                    f"the query nests brackets deeper than {max_depth} levels (at {_position(text, pos_token)})"
                )
        elif kind == "op" and value in (")", "}", "]", "|}"):
            if len(stack) > 1:
                stack.pop()
            if value == "}" and not in_expr:
                stack[-1].clause = None
        # unary operators nest in the parser like brackets: `!!!!?x`, `- - - 1`
        if in_expr and kind == "op" and value in ("!", "-", "+") and not _completes_operand(prev, prev_text):
            unary += 1
            state.depth = max(state.depth, len(stack) - 1 + unary)
            if state.depth > max_depth:
                raise QueryTooDeep(
                    f"the query nests operators deeper than {max_depth} levels (at {_position(text, pos_token)})"
                )
        elif kind != "op":
            unary = 0
        before_prev = prev_text
        prev, prev_text = kind, value
    return state


def _completes_operand(prev: str, prev_text: str) -> bool:
    """Whether the previous token ends an operand (so a `<` after it in an expression is less-than)."""
    return (
        prev in _OPERANDS
        or prev_text in (")", "]")
        or (prev == "word" and prev_text.upper() in ("TRUE", "FALSE"))
    )


def _angle(text: str, pos: int, operator: bool) -> tuple[str, str, int]:
    """The token at a `<`: an IRI, or the operator `<`, `<=` or `<<` (RDF 1.2 triples)."""
    iri = _IRI.match(text, pos)
    if operator:
        # Oxigraph reads less-than here; an IRI-shaped run that holds `'` or `#` would be
        # skipped differently by a reader that took it for an IRI, so it is refused
        if iri is not None and any(c in iri.group(0) for c in "'#"):
            raise QueryRefused(
                f"ambiguous '<' at {_position(text, pos)}: it reads as less-than here; put a space after it"
            )
        op = "<=" if text.startswith("<=", pos) else "<"
        return "op", op, pos + len(op)
    if text.startswith("<<", pos):
        return "op", "<<", pos + 2
    if iri is not None:
        return "iri", iri.group(0), iri.end()
    return "op", "<", pos + 1


def _open_kind(bracket: str, in_expr: bool, top: _Frame, prev: str, prev_text: str, before_prev: str) -> str:
    """Whether a bracket holds an expression (where `<` after an operand is less-than)."""
    if bracket != "(":
        return bracket
    if in_expr:
        return "expr"
    if prev_text == "<<" or prev_text == "<":  # an RDF 1.2 triple term <<( s p o )>>
        return "("
    if prev == "word":
        return "(" if prev_text.upper() in _NOT_CALLS else "expr"
    if prev in ("pname", "iri"):
        # a function call: after FILTER, or in a clause of expressions (ORDER BY <f>(?x));
        # elsewhere an IRI before `(` is a subject or predicate and the bracket a collection
        return "expr" if before_prev.upper() == "FILTER" or top.clause else "("
    # the projection, GROUP BY and ORDER BY hold expressions in brackets after variables too
    return "expr" if top.clause else "("


def _letters(state: _Scan, value: str, at: int) -> None:
    upper = value.upper()
    if state.service_at is None and "SERVICE" in upper:
        state.service_at = at
    if state.load_at is None and "LOAD" in upper:
        state.load_at = at
