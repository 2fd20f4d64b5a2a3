"""Refresh the vendored front-end files from the npm registry (`npm pack`), as the manifest lists them.

    python scripts/vendor_js.py            # fetch every package in vendor.json, copy its files, record sha256
    python scripts/vendor_js.py --check    # only check that the files on disk match the manifest

The manifest (`vendor.json` at the repository root) names, for each package, its version, the files
to take from the package tarball (built files and licences) and the folder they go to; `kept` names
files written in the repository beside them (a licence text a package does not carry), which a
refresh leaves alone and the check covers too. Nothing is fetched at run time: the app and the
views serve these copies, so an offline install works.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "vendor.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(entry: dict) -> dict[str, str]:
    dest = ROOT / entry["dest"]
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"{entry['package']}@{entry['version']}"
        out = subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True, text=True
        )
        tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        hashes = {}
        for name in entry["files"]:
            source = Path(tmp) / "package" / name
            target = dest / Path(name).name
            shutil.copyfile(source, target)
            hashes[Path(name).name] = sha256(target)
    for name in entry.get("kept", {}):
        hashes[name] = sha256(dest / name)
    return hashes


def check(entries: list[dict]) -> list[str]:
    problems = []
    for entry in entries:
        for name, digest in entry["sha256"].items():
            path = ROOT / entry["dest"] / name
            if not path.is_file():
                problems.append(f"{path} is missing")
            elif sha256(path) != digest:
                problems.append(f"{path} differs from {entry['package']}@{entry['version']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the files against the manifest")
    args = parser.parse_args()
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if not args.check:
        for entry in entries:
            entry["sha256"] = fetch(entry)
            print(f"{entry['package']}@{entry['version']} → {entry['dest']}")
        MANIFEST.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = check(entries)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
