"""Where the graph lives: embedded Oxigraph (on disk or in memory) or a remote SPARQL 1.1 store.

`open_store` is the one place a store specification (`memory`, a folder, an http(s) URL) is
turned into a store.
"""

from __future__ import annotations

from kg.config import Settings
from kg.store.base import Store


def open_store(
    spec: str | None = None,
    read_only: bool = False,
    settings: Settings | None = None,
    timeout: float | None = None,
    server_cancels: bool | None = None,
) -> Store:
    """`memory`, a folder path, or an http(s) URL of a SPARQL endpoint (default: the settings' store).

    A remote store's request timeout and whether it stops user queries itself come from the
    settings unless given. Under `kg serve` (`store_control` set) the store is the supervised
    Oxigraph server: a query it does not stop in time is reported to the supervisor, and a
    refused connection is retried while the server restarts.
    """
    settings = settings or Settings()
    spec = spec or settings.store
    if spec in ("memory", ":memory:"):
        from kg.store.oxigraph import OxigraphStore

        return OxigraphStore(None)
    if spec.startswith(("http://", "https://")):
        from kg.store.dialect import dialect
        from kg.store.remote import RemoteStore

        on_overrun = None
        if settings.store_control:
            from kg.store.supervisor import SupervisorClient

            on_overrun = SupervisorClient(settings.store_control).report_overrun
        return RemoteStore(
            spec,
            timeout=timeout if timeout is not None else 60.0,
            server_cancels=settings.store_enforces_timeout if server_cancels is None else server_cancels,
            update_url=settings.store_update,
            gsp_url=settings.store_gsp,
            on_overrun=on_overrun,
            reconnect_s=15.0 if settings.store_control else 0.0,
            dialect=dialect(settings.store_dialect),
            user=settings.store_user,
            password=settings.store_password,
            page_rows=settings.index_page_rows,
        )
    from kg.store.oxigraph import OxigraphStore

    return OxigraphStore(spec, read_only=read_only)
