"""Extraction quality on every annotated set, scored by ../shared/tools/kgscore.py.

    python bench/quality.py                      # every set but the locked test split
    python bench/quality.py --sets shared-train  # some sets
    python bench/quality.py --test               # also the locked test split (at the end of a change)
    python bench/quality.py --without kg_relation_model   # the rules alone (prints only)

Prints entity and relation F1 per set (and per kind with --kinds) and writes
bench/results/quality.json. The locked test split is scored only when asked for, and its
misses are never printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import Extractor, corpora  # noqa: E402
from kg.extract.gold import to_record  # noqa: E402
from kg.ingest.jsonl import post_from_record  # noqa: E402
from kg.model import Extraction, Post  # noqa: E402

KGSCORE = ROOT.parent / "shared" / "tools" / "kgscore.py"
RESULTS = ROOT / "bench" / "results" / "quality.json"


def predict(extractor: Extractor, records: list[dict]) -> list[dict]:
    out = []
    for rec in records:
        post = post_from_record(corpora.as_post_record(rec), "bench")
        assert isinstance(post, Post), post
        result = extractor.safe_extract(post)
        out.append(to_record(result) if isinstance(result, Extraction) else {"id": rec["id"]})
    return out


def score(gold: list[dict], pred: list[dict], misses: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        g, p = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        g.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold), encoding="utf-8")
        p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in pred), encoding="utf-8")
        result = json.loads(subprocess.check_output([sys.executable, str(KGSCORE), str(g), str(p), "--json"]))
        if misses:
            text = subprocess.check_output(
                [sys.executable, str(KGSCORE), str(g), str(p), "--context"], text=True
            )
            result["misses"] = text
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=[s for s in corpora.SETS if s != "team-test"])
    parser.add_argument("--test", action="store_true", help="also score the locked test split")
    parser.add_argument("--kinds", action="store_true", help="print F1 per entity type and relation kind")
    parser.add_argument("--misses", metavar="DIR", help="write each set's misses (not the test split's) here")
    parser.add_argument(
        "--without",
        nargs="*",
        default=[],
        metavar="PIPE",
        help="leave pipeline components out (e.g. kg_relation_model: the rules alone); prints, writes nothing",
    )
    args = parser.parse_args()
    if not KGSCORE.is_file():
        print(f"{KGSCORE} is missing: the scorer lives in the team's shared folder", file=sys.stderr)
        return 1
    sets = list(args.sets) + (["team-test"] if args.test and "team-test" not in args.sets else [])
    extractor = Extractor()
    for pipe in args.without:
        extractor.nlp.remove_pipe(pipe)
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    for name in sets:
        gold = corpora.load(name)
        if not gold:
            continue
        began = time.perf_counter()
        pred = predict(extractor, gold)
        seconds = time.perf_counter() - began
        want_misses = bool(args.misses) and name != "team-test"
        s = score(gold, pred, want_misses)
        if want_misses:
            Path(args.misses).mkdir(parents=True, exist_ok=True)
            (Path(args.misses) / f"{name}.txt").write_text(s.pop("misses"), encoding="utf-8")
        e, r = s["entities"], s["relations"]
        print(
            f"{name:15} docs {len(gold):3}  entity P {e['p']:.3f} R {e['r']:.3f} F1 {e['f1']:.3f}   "
            f"relation P {r['p']:.3f} R {r['r']:.3f} F1 {r['f1']:.3f}   {len(gold) / seconds:.1f} docs/s"
        )
        if args.kinds:
            for kind, v in {**s["entities_by_type"], **s["relations_by_kind"]}.items():
                print(
                    f"    {kind:18} P {v['p']:.3f} R {v['r']:.3f} F1 {v['f1']:.3f} (tp {v['tp']} fp {v['fp']} fn {v['fn']})"
                )
        results[name] = {
            k: s[k] for k in ("documents", "entities", "relations", "entities_by_type", "relations_by_kind")
        }
        results[name]["extractor"] = extractor.version
    if args.without:
        return 0
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
