"""`python -m synthetic --out DIR`: write the synthetic data set for the demo store and for inspection.

Writes DIR/bundle.json (the FHIR transaction that seeds the store), DIR/accounts.json (every sign-in the data
supports) and DIR/documents/ (each CDA and PDF as a file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from synthetic.bundle import build_bundle
from synthetic.cases import demo_accounts
from synthetic.documents import DEFAULT_REFERENCE_DATE, build_documents


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
    documents_dir = out / "documents"
    documents_dir.mkdir(parents=True, exist_ok=True)
    for document in build_documents(args.reference_date):
        (documents_dir / document.filename).write_bytes(document.cda)
        if document.pdf is not None:
            (documents_dir / document.pdf_filename).write_bytes(document.pdf)
    bundle = build_bundle(args.reference_date)
    (out / "bundle.json").write_text(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    accounts = demo_accounts(args.reference_date)
    (out / "accounts.json").write_text(json.dumps(accounts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(bundle['entry'])} bundle entries and {len(accounts)} sign-ins to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
