"""The HTTP status each kind of query error is answered with."""

from __future__ import annotations

from kg.store.base import (
    NotAcceptable,
    QueryRefused,
    QueryTimeout,
    SparqlError,
    StoreBusy,
    StoreUnavailable,
)
from kg.store.guard import QueryTooDeep, QueryTooLarge

STATUS: dict[type[SparqlError], int] = {
    QueryRefused: 403,
    QueryTooLarge: 413,
    QueryTooDeep: 400,
    NotAcceptable: 406,
    QueryTimeout: 503,
    StoreBusy: 503,
    StoreUnavailable: 502,
    SparqlError: 400,  # a syntax error or a bad parameter
}


def status_of(error: SparqlError) -> int:
    """The status of the most specific kind the error is."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400
