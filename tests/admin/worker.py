"""A posting process for the fault and concurrency tests: imports everything, says ``ready``, then posts the file
named on each stdin line and prints the outcome (``posted`` / ``noop`` / ``refused: ...``)."""

from __future__ import annotations

import sys

from rmbs.admin.ledger import post_remittance
from rmbs.deal.loader import load_deal
from rmbs.errors import RmbsError


def main() -> None:
    db, deal = sys.argv[1], sys.argv[2]
    load_deal(deal)
    print("ready", flush=True)
    for line in sys.stdin:
        try:
            out = post_remittance(deal, line.strip(), db, by="worker")
            print("noop" if not out.posting_ids else "posted", flush=True)
        except RmbsError as exc:
            print(f"refused: {exc.message.splitlines()[0]}", flush=True)


if __name__ == "__main__":
    main()
