"""The overview's counts (``services/overview.py``) at several database sizes.

Why: the counts above the admin list are one statement; this times just that statement,
through the app's own code, against a bare endpoint, and prints the counts, so a change can be
checked for speed and for giving the same numbers in one run. ``--explain`` also prints
``EXPLAIN (ANALYZE, BUFFERS)`` of the statement on PostgreSQL (its execution time, then the
plan with ``--full``).

    PYTHONPATH=. .venv/bin/python bench/overview.py URL [URL ...] [--repeat 5] [--explain]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import make_app  # noqa: E402


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(url: str, today: date, repeat: int, explain: bool, full: bool) -> dict:
    from tracker.extensions import db
    from tracker.services.overview import overview

    app = make_app(url)
    app.add_url_rule("/_bare", "bare", lambda: "ok")
    client = app.test_client()
    out = {"url": url.rsplit("/", 1)[-1]}
    out["bare"] = median_ms(lambda: client.get("/_bare"), max(repeat, 10))
    with app.app_context():
        statements = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        sa.event.listen(db.engine, "before_cursor_execute", keep)
        out["counts"] = overview(today)
        sa.event.remove(db.engine, "before_cursor_execute", keep)
        db.session.rollback()
        out["statements"] = len(statements)
        out["overview"] = median_ms(lambda: (overview(today), db.session.rollback()), repeat)
        if explain and db.engine.dialect.name == "postgresql":
            for statement, parameters in statements:
                lines = [row[0] for row in db.session.connection().exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
                db.session.rollback()
                if full:
                    print("\n".join("    " + line for line in lines))
                print("  " + out["url"] + ": " + next(
                    line for line in lines if line.startswith("Execution Time")))
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    results = [measure(url, args.today, args.repeat, args.explain or args.full, args.full)
               for url in args.urls]
    first = results[0]
    for r in results:
        print(f"{r['url']:>12}: overview {r['overview']:9.1f} ms  bare {r['bare']:5.1f} ms  "
              f"x bare {r['overview'] / r['bare']:7.1f}  "
              f"growth {r['overview'] / first['overview']:6.2f}  stmts {r['statements']}  "
              f"{r['counts']}")


if __name__ == "__main__":
    main()
