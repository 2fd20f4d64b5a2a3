"""Hostile and odd inputs to `kg ingest` (issue 12): HWPX zip bombs, lying zip sizes, deep XML,
junk after a UTF-16 byte-order mark, devices, unreadable folders, pypdf's own warnings,
`javascript:` links. Each is refused with one line naming the file while the rest is read."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.commands import main
from kg.ingest import expand_paths, read_posts
from kg.model import InputError, Post, web_url

from .conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures"
SECTION = (
    '<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="urn:hs" xmlns:hp="urn:hp">'
    "<hp:p><hp:run><hp:t>중소벤처기업부는 3일 창업진흥원과 간담회를 열었다.</hp:t></hp:run></hp:p></hs:sec>"
)
GB = 1 << 30


def _spaces(total: int, head: bytes = b"", tail: bytes = b"") -> tuple[bytes, int, int]:
    """A raw deflate stream of `head`, spaces up to about `total` bytes and `tail`; its CRC-32 and size,
    built from one compressed 1 MB block repeated (after a full flush the compressor starts
    afresh, so equal input gives equal output): a 1.5 GB member costs a second to make."""
    block = b" " * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(head)
    repeated = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    count = (total - len(head)) // len(block)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    out.append(repeated * count)
    out.append(comp.compress(tail) + comp.flush())
    crc = zlib.crc32(tail, crc)
    return b"".join(out), crc, len(head) + count * len(block) + len(tail)


def _zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """Write a zip by hand: (name, raw deflate data, CRC, size, declared size) per member, so the
    declared size can differ from what the data inflates to."""
    body = bytearray()
    central = bytearray()
    for name, data, crc, _size, declared in members:
        offset = len(body)
        encoded = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), declared, len(encoded), 0
        )
        body += header + encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(data),
            declared,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + end))


def _member(name: str, text: bytes) -> tuple[str, bytes, int, int, int]:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, comp.compress(text) + comp.flush(), zlib.crc32(text), len(text), len(text)


def _hostile_files(folder: Path) -> dict[str, str]:
    """The bombs, and the start of the error each must get."""
    folder.mkdir(parents=True, exist_ok=True)
    mime = _member("mimetype", b"application/hwp+zip")
    section = _member("Contents/section0.xml", SECTION.encode())
    # an honest 1.5 GB Contents/content.hpf (1.5 MB on disk): reached 3.2 GB of memory before
    data, crc, size = _spaces(
        int(1.5 * GB), b'<?xml version="1.0"?><opf:package xmlns:opf="urn:o"><opf:title>'
    )
    _zip(folder / "hpf-bomb.hwpx", [mime, section, ("Contents/content.hpf", data, crc, size, size)])
    # a section that says it is 200 bytes and inflates to 1.5 GB
    data, crc, size = _spaces(int(1.5 * GB), SECTION.encode()[:-9])
    _zip(folder / "lying.hwpx", [mime, ("Contents/section0.xml", data, crc, size, 200)])
    # five sections of 20 MB: each is small, together they pass the 80 MB budget
    data, crc, size = _spaces(20 << 20, SECTION.encode()[:-9], b"</hs:sec>")
    sections = [(f"Contents/section{i}.xml", data, crc, size, size) for i in range(5)]
    _zip(folder / "many-sections.hwpx", [mime, *sections])
    # 100,000 nested elements: small, and would hold every element open
    deep = (
        b'<?xml version="1.0"?><hs:sec xmlns:hs="urn:hs">'
        + b"<a>" * 100_000
        + b"</a>" * 100_000
        + b"</hs:sec>"
    )
    _zip(folder / "deep.hwpx", [mime, _member("Contents/section0.xml", deep)])
    return {
        "hpf-bomb.hwpx": "HWPX too large unpacked (over 80 MB when reading Contents/content.hpf",
        "lying.hwpx": "broken HWPX",
        "many-sections.hwpx": "HWPX too large unpacked (over 80 MB when reading Contents/section4.xml",
        "deep.hwpx": "HWPX Contents/section0.xml nests elements deeper than 1000 levels",
    }


def test_hwpx_bombs_are_refused_in_little_memory(tmp_path: Path) -> None:
    """Regression: the size check trusted the sizes the zip declared and counted only the
    sections — a 1.5 MB file reached 2.2 GB of memory, an honest 1.5 GB content.hpf 3.2 GB.
    Each file is read in a process of its own that reports its peak memory."""
    expected = _hostile_files(tmp_path / "bombs")
    for name, reason in expected.items():
        probe = (
            "import json, sys\n"
            "from pathlib import Path\n"
            "from kg.ingest.documents import read_document\n"
            "items = list(read_document(Path(sys.argv[1])))\n"
            # VmHWM is this process's own peak: ru_maxrss also keeps the peak of the process that
            # forked it (Linux carries it across execve), so under a big pytest it read ~1 GB
            "status = Path('/proc/self/status').read_text()\n"
            "peak = int(status.split('VmHWM:')[1].split()[0]) * 1024\n"
            "print(json.dumps({'reasons': [getattr(i, 'reason', None) for i in items], 'peak': peak}))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / "bombs" / name)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["reasons"][0].startswith(reason), (name, report)
        assert report["peak"] < 800 * 2**20, (name, report["peak"] / 2**20)


def test_a_bomb_gets_one_error_line_and_the_other_posts_are_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    expected = _hostile_files(folder)
    shutil.copy(FIXTURES / "docs" / "semas-press-20251125-online-sales.hwpx", folder / "real.hwpx")
    (folder / "a.md").write_text(
        "---\nid: a\npublished: 2025-03-02\n---\n중소벤처기업부는 3월 2일 창업진흥원과 간담회를 열었다.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["ingest", "--store", str(tmp_path / "store"), "-j", "1", str(folder)], catch_exceptions=False
    )
    assert result.exit_code == 1
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert [line.split(": ", 2)[1] for line in errors] == sorted(str(folder / n) for n in expected)
    for line in errors:
        name = Path(line.split(": ", 2)[1]).name
        assert line.split(": ", 2)[2].startswith(expected[name]), line
    assert "written 2" in result.stderr.splitlines()[-1]


def test_junk_after_a_utf16_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    """Regression: `FF FE` and random bytes were stored as a post of mojibake."""
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\xff\xfe" + bytes((i * 7919 + 13) % 251 for i in range(4000)))
    korean = tmp_path / "utf16.txt"
    korean.write_bytes("중소벤처기업부는 ㈜한국 □ 행사를 3일 열었다.".encode("utf-16"))
    items = {Path(i.source or "").name: i for i in read_posts([junk, korean])}
    assert isinstance(items["junk.txt"], InputError)
    assert items["junk.txt"].reason.startswith(("not text", "broken UTF-16 text")), items["junk.txt"]
    assert isinstance(items["utf16.txt"], Post)


def test_devices_and_unreadable_folders_are_named() -> None:
    """Regression: `/dev/zero` was "no such file"; an unreadable subfolder was skipped silently."""
    assert list(expand_paths(["/dev/zero"])) == [
        InputError("/dev/zero", "not a regular file (a character device)")
    ]
    base = Path(tempfile.mkdtemp(prefix="kg-unreadable-"))  # outside pytest's private temp folder
    base.chmod(0o755)
    tree = base / "tree"
    (tree / "secret").mkdir(parents=True)
    (tree / "a.txt").write_text("중소벤처기업부는 간담회를 열었다.", encoding="utf-8")
    (tree / "secret" / "b.txt").write_text("안 보이는 글", encoding="utf-8")
    (tree / "secret").chmod(0)
    try:
        probe = (
            "import sys\nfrom kg.ingest import expand_paths\n"
            "print([repr(i) for i in expand_paths([sys.argv[1]])])\n"
        )
        command = [sys.executable, "-c", probe, str(tree)]
        if os.geteuid() == 0:  # root reads any folder: ask as nobody
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv to drop privileges")
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert (
            f"InputError(source='{tree / 'secret'}', reason='cannot read folder: Permission denied')"
            in done.stdout
        )
        assert f"PosixPath('{tree / 'a.txt'}')" in done.stdout
    finally:
        (tree / "secret").chmod(0o755)
        shutil.rmtree(base)


def test_pypdf_warnings_name_the_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: pypdf's line about a repaired PDF said nothing of which file it was."""
    pdf = (FIXTURES / "docs" / "mss-press-20251120-regional-hubs.pdf").read_bytes()
    broken = pdf.replace(b"startxref", b"startxref\n999999999\n%", 1)  # a wrong xref offset to repair
    path = tmp_path / "repaired.pdf"
    path.write_bytes(broken)
    with caplog.at_level("WARNING"):
        items = list(read_posts([path]))
    assert isinstance(items[0], Post)
    said = [r.getMessage() for r in caplog.records if "pypdf" in r.getMessage()]
    assert said and all(m.startswith(f"warning: {path}: pypdf: ") for m in said), said


def test_links_that_are_not_http_are_dropped(tmp_path: Path) -> None:
    """Regression: a `javascript:` post URL was kept in /posts JSON and schema:url."""
    lines = [
        {
            "id": "x",
            "text": "중소벤처기업부는 3일 간담회를 열었다.",
            "url": "javascript:alert(document.domain)",
        },
        {"id": "y", "text": "중소벤처기업부는 4일 설명회를 열었다.", "url": " JaVaScRiPt:alert(1)"},
        {"id": "z", "text": "중소벤처기업부는 5일 설명회를 열었다.", "url": "https://www.mss.go.kr/a?b=1"},
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    urls = {p.id: p.url for p in read_posts([path]) if isinstance(p, Post)}
    assert urls == {"x": None, "y": None, "z": "https://www.mss.go.kr/a?b=1"}
    assert not web_url("data:text/html,<script>alert(1)</script>") and not web_url("file:///etc/passwd")


def test_zip_with_declared_sizes_reads_like_any_other(tmp_path: Path) -> None:
    """The hand-written zips are real zips: the same writer with honest sizes gives a post."""
    path = tmp_path / "honest.hwpx"
    _zip(
        path,
        [_member("mimetype", b"application/hwp+zip"), _member("Contents/section0.xml", SECTION.encode())],
    )
    assert zipfile.ZipFile(path).testzip() is None
    items = list(read_posts([path]))
    assert isinstance(items[0], Post) and "창업진흥원" in items[0].text
