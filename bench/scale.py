"""Pages at two database sizes, against a bare endpoint and against hand-written SQL.

Why: every page must cost what it shows, not what the database holds (DESIGN.md, "Scale"),
and the ORM must not cost much more than the SQL a person would write for the same rows.
Times are medians in one run over databases built by ``bench/seed.py``, so the ratios hold on
a busy machine where absolute times do not:
- ``x bare``: the page against an endpoint doing no work (request, session and sign-in cost);
- ``x sql``: what the page reads, through the app's services (the ORM), against a raw
  ``text()`` query a person would write for the same rows, on the same database; templates
  are left out of both, since the SQL has none;
- ``growth``: the page's ``x bare`` on the last database against the first;
- ``stmts``: SQL statements the page issued (should not grow with the database).
Then the streamed CSV export of every plan, in a child process, with its peak memory
(``ru_maxrss``) before and after streaming it: flat means it streams.

    PYTHONPATH=. .venv/bin/python bench/scale.py SMALL_URL LARGE_URL [--repeat 10]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import make_app  # noqa: E402

UNFINISHED = "g.status NOT IN ('approved', 'done', 'waived', 'retired')"
# The reports and the overview's counts read the totals (services/rollup_read.py); the
# hand-written SQL reads the same cells. (Earlier runs compared the live statements with SQL
# over the raw tables: bench/README.md keeps those figures.)
TOTALS = """SELECT key, sum(n0), sum(n1), sum(n2), sum(n3), sum(total) FROM report_totals
WHERE report = '{report}' AND layer_id = 0 GROUP BY key"""
# (page, who signs in, hand-written SQL for what it shows: statements split on ';',
# with :plan, :manager, :today and :grace bound)
PAGES = [
    ("plan page", "admin", "/plans/{plan}", """
SELECT p.id, h.name, mg.name, m.key, m.due_date, g.id, g.title, g.status, e.id, e.note, a.name
FROM plans p JOIN users h ON h.id = p.hire_id JOIN users mg ON mg.id = p.manager_id
JOIN plan_milestones m ON m.plan_id = p.id JOIN plan_goals g ON g.milestone_id = m.id
LEFT JOIN evidence e ON e.goal_id = g.id LEFT JOIN users a ON a.id = e.author_id
WHERE p.id = :plan ORDER BY m.position, g.position, e.created_at"""),
    ("team page", "manager", "/team", f"""
SELECT p.id, h.name, p.start_date, count(g.id), sum(CASE WHEN {UNFINISHED} THEN 1 ELSE 0 END),
       sum(CASE WHEN g.status = 'submitted' THEN 1 ELSE 0 END)
FROM plans p JOIN users h ON h.id = p.hire_id JOIN plan_goals g ON g.plan_id = p.id
WHERE p.manager_id = :manager AND p.status = 'active' GROUP BY p.id, h.name, p.start_date"""),
    ("admin list + overview", "admin", "/admin/plans", """
SELECT sum(n0), sum(n2), sum(n1), sum(n3), sum(total) FROM report_totals
WHERE report = 'overview' AND layer_id = 0;
SELECT count(*) FROM plans WHERE status = 'active';
SELECT p.id, h.name, mg.name, p.start_date, g.milestone_id, g.status, g.title
FROM (SELECT * FROM plans WHERE status = 'active' ORDER BY start_date DESC, id DESC LIMIT 50) p
JOIN users h ON h.id = p.hire_id JOIN users mg ON mg.id = p.manager_id
JOIN plan_goals g ON g.plan_id = p.id"""),
    ("late-goals report", "admin", "/admin/reports/late-goals", TOTALS.format(report="late")),
    ("milestones report", "admin", "/admin/reports/milestones",
     TOTALS.format(report="milestones").replace("key,", "role_id, key,")
     .replace("BY key", "BY role_id, key")),
    ("check-ins report", "admin", "/admin/reports/check-ins", TOTALS.format(report="ratings")),
    ("pulses report", "admin", "/admin/reports/pulses", TOTALS.format(report="pulses")),
    ("reviews report", "admin", "/admin/reports/reviews", """
SELECT key, sum(n0), sum(total) FROM report_totals
WHERE report = 'reviews' AND layer_id = 0 AND role_id = 0 GROUP BY key
ORDER BY sum(total) * 1.0 / sum(n0) DESC LIMIT 50"""),
]


def service_calls(plan: int, manager_id: int, today: date) -> dict:
    """What each page reads, through the app's own services: the ORM side of ``x sql``. The
    overview and the reports as the pages read them: from the totals (``rollup_read``)."""
    from tracker.extensions import db
    from tracker.models import Plan, User
    from tracker.services import rollup_read
    from tracker.services.at_risk import reasons_for
    from tracker.services.plan_pages import (
        load_plan,
        load_plans,
        plan_list_filter,
        progress_options,
    )
    from tracker.services.reports import plan_filter
    from tracker.services.team import team
    listed = plan_list_filter(status="active", role="", manager=None, at="", today=today)[0]
    where = plan_filter()[0]

    def admin_list():
        assert rollup_read.overview_counts(today) is not None, "run tracker reports refresh"
        db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(listed))
        reasons_for([p.id for p in load_plans(listed, limit=50, options=progress_options())],
                    today)

    def report(name):  # the reviews page shows the 50 slowest reviewers
        return lambda: rollup_read.report_table(name, {}, today, where, 50)

    return {"plan page": lambda: load_plan(plan),
            "team page": lambda: team(db.session.get(User, manager_id)),
            "admin list + overview": admin_list,
            "late-goals report": lambda: rollup_read.late_goals({}, today),
            "milestones report": report("milestones"),
            "check-ins report": report("check-ins"),
            "pulses report": report("pulses"),
            "reviews report": report("reviews")}


def median_ms(call, repeat: int) -> float:
    call()  # warm caches and templates
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def signed_in(app, email: str):
    """A client signed in without the form, as the tests' ``login_as`` does."""
    from tracker.extensions import db
    from tracker.services import sessions
    from tracker.services.accounts import find_user
    with app.app_context():
        token = sessions.start(find_user(email))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = token, True
    return client


def measure(url: str, repeat: int, only: list[str]) -> dict:
    from tracker.extensions import db
    from tracker.models import Plan, User
    app = make_app(url)
    app.add_url_rule("/_bare", "bare", lambda: "ok")
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan.id).join(User, User.id == Plan.hire_id)
                                 .where(User.email.like("due-hire%")).order_by(Plan.id))
        manager = db.session.scalar(sa.select(User).where(User.email.like("due-lead%"))
                                    .order_by(User.id))
        manager_id, manager_email = manager.id, manager.email
        engine = db.engine
    clients = {"admin": signed_in(app, "hr.admin@demo.example.com"),
               "manager": signed_in(app, manager_email)}
    out = {"bare": median_ms(lambda: clients["admin"].get("/_bare"), repeat)}
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a, **k: statements.append(a[2]))
    today = datetime.now(timezone.utc).date()  # the pages' day
    params = {"plan": plan, "manager": manager_id, "today": today,
              "grace": date.fromordinal(today.toordinal() - 7)}
    for name, who, path, sql in PAGES:
        if only and name not in only:
            continue
        if engine.dialect.name == "sqlite":  # dates are text there
            sql = sql.replace("(q.due_on - p.start_date)",
                              "CAST(julianday(q.due_on) - julianday(p.start_date) AS INTEGER)")
        address = path.format(plan=plan)

        def page(client=clients[who], address=address):
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)

        statements.clear()
        page()
        count = len(statements)
        with app.app_context():
            def raw(sql=sql):
                for statement in sql.split(";"):  # the admin list's is two
                    db.session.execute(sa.text(statement), params).all()
                db.session.rollback()

            def orm(call=service_calls(plan, manager_id, params["today"])[name]):
                call()
                db.session.rollback()
            hand, loads = median_ms(raw, repeat), median_ms(orm, repeat)
        out[name] = {"ms": median_ms(page, repeat), "sql_ms": hand, "orm_ms": loads,
                     "stmts": count}
    with app.app_context():
        db.engine.dispose()
    return out


def csv_child(url: str) -> dict:
    app = make_app(url)
    client = signed_in(app, "hr.admin@demo.example.com")
    client.get("/admin/plans")  # the list's imports and queries, so the baseline includes them
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, size = time.perf_counter(), 0
    response = client.get("/admin/plans.csv?status=", buffered=False)
    for chunk in response.response:
        size += len(chunk)
    return {"base_mb": base, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "seconds": time.perf_counter() - started, "mb": size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="database URLs, smallest first")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated page names to measure")
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV export")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        print(json.dumps(csv_child(args.urls[0])))
        return
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    results = {url: measure(url, args.repeat, only) for url in args.urls}
    first, last = results[args.urls[0]], results[args.urls[-1]]
    header = "".join(f" {url[-18:]:>30}" for url in args.urls)
    print(f"{'page':24}{header} {'growth':>7}")
    shown = [name for name, *_ in PAGES if not only or name in only]
    for name in shown:
        cells = "".join(f" {r[name]['ms'] / r['bare']:7.1f}x bare "
                        f"{r[name]['orm_ms'] / r[name]['sql_ms']:5.1f}x sql {r[name]['stmts']:3}st"
                        for r in results.values())
        growth = (last[name]["ms"] / last["bare"]) / (first[name]["ms"] / first["bare"])
        print(f"{name:24}{cells} {growth:6.2f}x")
    for url, r in results.items():
        ms = ", ".join(f"{name} {r[name]['ms']:.0f}/{r[name]['orm_ms']:.0f}/"
                       f"{r[name]['sql_ms']:.0f}" for name in shown)
        print(f"  {url[-30:]}: bare {r['bare']:.2f} ms; page/orm/sql ms: {ms}")
    print("x bare: the page against /_bare; x sql: the page's reads through the services "
          "(ORM) against the hand-written SQL; st: statements per page; growth: x bare, "
          "last database against the first")
    for url in [] if args.no_csv else args.urls:
        done = subprocess.run([sys.executable, __file__, "--csv-child", url],
                              capture_output=True, text=True, check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"plans.csv {url[-30:]}: {r['mb']:.1f} MB in {r['seconds']:.1f} s, peak "
              f"{r['peak_mb']:.0f} MB (before streaming {r['base_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
