"""EXPLAIN ANALYZE, on PostgreSQL, of the statements the hot paths really issue.

Why: a ratio says a page grew, a plan says why. Rather than copying queries here (they would
drift from the app), this runs the app's own code, records every statement with its parameters
(``before_cursor_execute``), and explains each on the same database:
- the sweep's reads: ``sweep(now, dry_run=True)``, at ``--now`` as seeded by ``bench/seed.py``;
- the admin list: its count, its page of plans (and their eager loads), the overview counts;
- the late-goals report.
By default each statement prints its scans (index or sequential, on which table, rows) and its
execution time; sequential scans on big tables are marked ``<-- seq``. ``--full`` prints plans.

    PYTHONPATH=. .venv/bin/python bench/explain.py postgresql+psycopg://postgres@host/db
"""
from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import service_calls  # noqa: E402
from seed import NOW, make_app  # noqa: E402

SCAN = re.compile(r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan|Bitmap Heap Scan)"
                  r"(?: using (\S+))? on (\S+).*?actual time=\S+ rows=(\d+) loops=(\d+)")
SMALL = {"users", "role_templates", "role_versions", "milestone_templates", "goal_templates"}


def recorded(engine, call) -> list[tuple[str, object]]:
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    return seen


def explain(session, statement: str, parameters, full: bool) -> None:
    lines = [row[0] for row in session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
    print("  " + " ".join(statement.split())[:150])
    if full:
        print("\n".join("      " + line for line in lines))
        return
    for line in lines:
        found = SCAN.search(line)
        if found:
            kind, index, table, rows, loops = found.groups()
            mark = "  <-- seq" if kind == "Seq Scan" and table not in SMALL else ""
            print(f"      {kind:18} {table:22} {index or '':44} rows={rows} loops={loops}{mark}")
    print("      " + next((line for line in lines if line.startswith("Execution Time")), ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--now", default=NOW)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    from tracker.extensions import db
    from tracker.jobs.sweep import sweep
    from tracker.models import Plan, User
    app = make_app(args.url)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("EXPLAIN ANALYZE here is PostgreSQL's; pass a postgresql+psycopg:// URL")
        plan = db.session.scalar(sa.select(sa.func.min(Plan.id)))
        manager = db.session.scalar(sa.select(User.id).where(User.email.like("due-lead%")))
        calls = service_calls(plan, manager, date.today())
        paths = {"sweep reads": lambda: sweep(datetime.fromisoformat(args.now), dry_run=True),
                 "admin list + overview": calls["admin list + overview"],
                 "late-goals report": calls["late-goals report"]}
        for name, call in paths.items():
            statements = recorded(db.engine, call)
            db.session.rollback()
            print(f"== {name}: {len(statements)} statements")
            for statement, parameters in statements:
                explain(db.session, statement, parameters, args.full)
                db.session.rollback()
        db.engine.dispose()


if __name__ == "__main__":
    main()
