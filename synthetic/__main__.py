"""`python -m synthetic --out DIR`: write the synthetic data set for the demo store and for inspection.

Writes DIR/bundle.json (the FHIR transaction that seeds the home store), DIR/accounts.json (every sign-in the data
supports) and DIR/documents/ (each CDA and PDF as a file); for each other region K (synthetic/regions.py), its
store's seed DIR/regions/K/bundle.json and its documents in DIR/regions/K/documents/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from synthetic.bundle import build_bundle
from synthetic.cases import demo_accounts
from synthetic.documents import DEFAULT_REFERENCE_DATE, GeneratedDocument, build_documents
from synthetic.regions import REGIONS, build_region_bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write into (created if needed)")
    parser.add_argument(
        "--reference-date",
        type=dt.date.fromisoformat,
        default=DEFAULT_REFERENCE_DATE,
        help=f"day every relative date counts from (default {DEFAULT_REFERENCE_DATE.isoformat()})",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    write_documents(build_documents(args.reference_date), out / "documents")
    bundle = build_bundle(args.reference_date)
    write_bundle(bundle, out / "bundle.json")
    accounts = demo_accounts(args.reference_date)
    (out / "accounts.json").write_text(json.dumps(accounts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(bundle['entry'])} bundle entries and {len(accounts)} sign-ins to {out}", file=sys.stderr)
    for key, region in REGIONS.items():
        folder = out / "regions" / key
        write_documents(build_documents(args.reference_date, region.cases), folder / "documents")
        region_bundle = build_region_bundle(key, args.reference_date)
        write_bundle(region_bundle, folder / "bundle.json")
        print(f"wrote {len(region_bundle['entry'])} bundle entries of region {key} to {folder}", file=sys.stderr)
    return 0


def write_documents(documents: list[GeneratedDocument], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for document in documents:
        (folder / document.filename).write_bytes(document.cda)
        if document.pdf is not None:
            (folder / document.pdf_filename).write_bytes(document.pdf)


def write_bundle(bundle: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
