"""OpenLink Virtuoso beside kg: its SQL console (isql), its bulk loader, and a managed instance.

kg talks SPARQL to Virtuoso over HTTP like to any store (kg.store.remote with the `virtuoso`
dialect). Two jobs need Virtuoso's own SQL port instead: setting a database up for kg (a user
allowed SPARQL Update, Virtuoso's own graphs hidden from kg's users) and bulk loading N-Quads
with `ld_add` + `rdf_loader_run`, which reads the files itself, so they must be on the Virtuoso
machine under its `DirsAllowed`. `VirtuosoServer` runs a whole instance in a scratch folder from
a generated virtuoso.ini (tests and benchmarks; Debian's package `virtuoso-opensource`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from kg.model import KgError
from kg.store.server import free_port

PRIVATE_GRAPHS = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
INSTALL_HINT = "Debian: apt-get install virtuoso-opensource (make test does it when run as root)"


def _program(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise KgError(f"Virtuoso's {names[0]} is not installed ({INSTALL_HINT})")


def sql_string(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class Isql:
    """Virtuoso's SQL console: `run` sends statements to HOST:PORT and returns what they print."""

    def __init__(self, address: str, user: str = "dba", password: str = "dba") -> None:
        self.address = address
        self.user = user
        self.password = password
        self.program = _program("isql-vt", "isql-v")

    def run(self, sql: str, timeout: float = 3600) -> list[str]:
        """Run statements (each ending in `;`); their output lines. A statement that fails
        raises KgError with Virtuoso's message (isql itself goes on and exits 0)."""
        try:
            done = subprocess.run(
                [
                    self.program,
                    self.address,
                    self.user,
                    self.password,
                    "VERBOSE=OFF",
                    "BANNER=OFF",
                    "PROMPT=OFF",
                    "ECHO=OFF",
                ],
                input=sql if sql.endswith("\n") else sql + "\n",
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise KgError(f"Virtuoso at {self.address} did not finish within {timeout:g} s") from exc
        out = (done.stdout or "") + (done.stderr or "")
        lines = out.splitlines()
        errors = [line for line in lines if line.startswith("*** Error")]
        if errors or done.returncode != 0:
            raise KgError(f"Virtuoso at {self.address}: {'; '.join(errors) or out.strip()[-500:]}")
        return [line for line in lines if line.strip()]


def setup_sql(user: str, password: str, system_graphs: Sequence[str]) -> str:
    """What a fresh database needs for kg: `user` may run SPARQL Update (at /sparql-auth) and
    write graphs; anonymous queries read; Virtuoso's own graphs (`system_graphs`, those present
    before kg wrote anything) are private, so `GRAPH ?g` and counts see kg's graphs only."""
    lines = [
        f"DB.DBA.USER_CREATE({sql_string(user)}, {sql_string(password)});",
        f'GRANT SPARQL_UPDATE TO "{user}";',
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE({sql_string(PRIVATE_GRAPHS)}, 1);",
    ]
    lines += [
        f"DB.DBA.RDF_GRAPH_GROUP_INS({sql_string(PRIVATE_GRAPHS)}, {sql_string(g)});" for g in system_graphs
    ]
    lines += [
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 1);",
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET({sql_string(user)}, 3);",
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET({sql_string(user)}, 0, 1);",
    ]
    return "\n".join(lines)


def graphs(isql: Isql) -> list[str]:
    """Every graph in the database (as the SQL user sees it: all of them)."""
    return isql.run("SELECT DISTINCT id_to_iri(G) FROM DB.DBA.RDF_QUAD;")


def bulk_load(isql: Isql, files: Sequence[Path], default_graph: str = "urn:kg:default") -> None:
    """Load N-Quads files with Virtuoso's bulk loader (each quad into its graph; triples of the
    default graph into `default_graph`), then checkpoint.

    Files already in the loader's list are taken off it first, so loading a file again loads it
    again. A file the loader could not read is reported with the loader's message.
    """
    if not files:
        return
    names = [str(Path(f).resolve()) for f in files]
    listed = ", ".join(sql_string(n) for n in names)
    statements = [f"DELETE FROM DB.DBA.load_list WHERE ll_file IN ({listed});"]
    statements += [f"ld_add({sql_string(n)}, {sql_string(default_graph)});" for n in names]
    statements += ["rdf_loader_run();", "checkpoint;"]
    isql.run("\n".join(statements))
    failed = isql.run(
        f"SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_file IN ({listed}) AND ll_error IS NOT NULL;"
    )
    if failed:
        raise KgError("Virtuoso's bulk loader failed: " + " | ".join(failed)[:1000])


INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {dirs}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
MaxQueryMem = 1G
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout_s}
MaxQueryCostEstimationTime = {estimate_s}
DefaultGraph =
"""


class VirtuosoServer:
    """A Virtuoso instance of its own in `folder` (database files, generated virtuoso.ini),
    listening on 127.0.0.1 only: HTTP for SPARQL, a SQL port for isql. `stop()` ends it.

    SPARQL Update is granted to `user` only (at `/sparql-auth`); queries stop after
    `timeout_s` seconds and answers after `max_rows` rows. `load_dirs` are the folders its
    bulk loader may read (DirsAllowed).
    """

    def __init__(
        self,
        folder: Path,
        timeout_s: int = 10,
        max_rows: int = 1_000_000,
        load_dirs: Sequence[Path] = (),
        buffers: int = 20_000,
        user: str = "kg",
        password: str = "kg-update",
    ) -> None:
        self.program = _program("virtuoso-t")
        self.folder = folder.resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "vsp").mkdir(exist_ok=True)
        self.sql_port = free_port()
        self.http_port = free_port()
        self.user, self.password = user, password
        self.max_rows = max_rows
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.update_url = f"http://127.0.0.1:{self.http_port}/sparql-auth"
        self.isql = Isql(f"127.0.0.1:{self.sql_port}")
        dirs = ", ".join([".", str(self.folder), *(str(Path(d).resolve()) for d in load_dirs)])
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            INI.format(
                db=self.folder,
                sql_port=self.sql_port,
                http_port=self.http_port,
                dirs=dirs,
                buffers=buffers,
                dirty_buffers=buffers * 3 // 4,
                max_rows=max_rows,
                timeout_s=timeout_s,
                estimate_s=max(timeout_s, 10) * 40,
            ),
            encoding="utf-8",
        )
        fresh = not (self.folder / "virtuoso.db").exists()
        self._log = (self.folder / "server.out").open("ab")
        self.proc = subprocess.Popen(
            [self.program, "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait()
            if fresh:
                self.isql.run(setup_sql(user, password, graphs(self.isql)))
        except BaseException:
            self.stop()
            raise

    def _wait(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.folder / "virtuoso.log").read_text(errors="replace")[-800:]
                raise KgError(f"Virtuoso in {self.folder} did not start: {log.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=0.2):
                    pass
                self.isql.run("SELECT 1;", timeout=10)
                return
            except (OSError, KgError):
                time.sleep(0.2)
        raise KgError(f"Virtuoso in {self.folder} did not answer within {seconds:g} s")

    def settings(self) -> dict[str, str]:
        """The KG_* settings that point kg at this instance."""
        return {
            "KG_STORE": self.url,
            "KG_STORE_DIALECT": "virtuoso",
            "KG_STORE_UPDATE": self.update_url,
            "KG_STORE_USER": self.user,
            "KG_STORE_PASSWORD": self.password,
            "KG_INDEX_PAGE_ROWS": str(min(200_000, self.max_rows)),
            "KG_VIRTUOSO_SQL": self.isql.address,
            "KG_VIRTUOSO_SQL_PASSWORD": self.isql.password,
        }

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # Virtuoso checkpoints and exits on SIGTERM
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
