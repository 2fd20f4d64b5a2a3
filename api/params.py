"""Path parameters several routers share: an entity id as two segments, `kind/key`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path

Kind = Annotated[
    Literal["org", "person", "program", "event", "place"],
    Path(description="First part of the entity id: org, person, program, event or place."),
]
Key = Annotated[
    str,
    Path(
        description="Second part of the entity id, e.g. `중소벤처기업부` in `org/중소벤처기업부` "
        "(URL-encoded; a `%` in a key is sent as `%25`).",
        min_length=1,
        max_length=500,
    ),
]
