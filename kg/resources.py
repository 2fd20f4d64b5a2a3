"""Where the ontology and the data files live: beside the package in a checkout or an
editable install, or under `share/kg` when kg was installed from a wheel."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    candidates = (
        _HERE.parent / name,  # a checkout: ontology/ and data/ beside kg/
        Path(sys.prefix) / "share" / "kg" / name,  # pip install into an environment
        _HERE.parent / "share" / "kg" / name,  # pip install --target DIR
    )
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"kg's {name}/ folder is missing (looked in {', '.join(map(str, candidates))})")


ONTOLOGY_DIR = resource_dir("ontology")
DATA_DIR = resource_dir("data")
