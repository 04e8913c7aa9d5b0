"""The reminder sweep at two database sizes with the same reminders due, as ratios.

Why: the sweep must cost what it sends, not what the database holds (DESIGN.md, "Scale").
``bench/seed.py`` builds databases where the same plans have the same things due at ``--now``
whatever the number of hires, so the 1k/100k time ratio shows how the sweep's reads grow.

Each measurement runs in a child process of its own, so its peak memory
(``ru_maxrss``, taken inside the child) is the sweep's and not the parent's:
- ``prime``: a real sweep with ``read_all`` an hour before ``--now`` (what the first sweep after
  a deploy does), so every plan's ``next_reminder_at`` is what a running scheduler leaves; its
  rows are deleted again, and the plans they belonged to marked as owing them (their time
  cleared), so the measured sweep still has the same work. Timed too: it is the one sweep that
  reads every plan;
- ``dry``: ``sweep(now, dry_run=True)``, median of ``--repeat`` runs, and its SQL statements;
- ``real``: one real sweep (inserts into the outbox), then the inserted rows are deleted again
  so the script can be rerun on the same database;
- ``sql``: a hand-written query returning the rows the rules work on (active plans with a
  milestone event in the window and its unfinished goals or unsigned check-in, submitted
  evidence waiting, new plans, pulses not yet answered), for the "within 3x hand-written SQL"
  ratio. It does less than the sweep (no zones, no dedupe, no payloads): a floor, not a twin.

    PYTHONPATH=. .venv/bin/python bench/sweep.py SMALL_URL LARGE_URL [--now ...] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import NOW, make_app  # noqa: E402

MODES = ("prime", "sql", "dry", "real")
PRIME_BEFORE = timedelta(hours=1)

HAND_WRITTEN = """
SELECT p.id, m.id, m.key, m.due_date, g.id, g.status, c.id, h.timezone, mg.timezone
FROM plans p
JOIN plan_milestones m ON m.plan_id = p.id
JOIN users h ON h.id = p.hire_id
JOIN users mg ON mg.id = p.manager_id
LEFT JOIN plan_goals g ON g.milestone_id = m.id
     AND g.status NOT IN ('approved', 'done', 'waived', 'retired')
LEFT JOIN checkins c ON c.milestone_id = m.id
     AND c.hire_signed_at IS NOT NULL AND c.manager_signed_at IS NOT NULL
WHERE p.status = 'active' AND m.due_date BETWEEN :due_from AND :due_to
  AND (g.id IS NOT NULL OR c.id IS NULL)
UNION ALL
SELECT p.id, NULL, NULL, NULL, e.goal_id, 'submitted', NULL, NULL, NULL
FROM evidence e JOIN plan_goals g ON g.id = e.goal_id JOIN plans p ON p.id = g.plan_id
WHERE e.status = 'submitted' AND g.status = 'submitted' AND p.status = 'active'
  AND e.created_at <= :waiting
UNION ALL
SELECT p.id, NULL, NULL, NULL, NULL, NULL, NULL, h.timezone, NULL
FROM plans p JOIN users h ON h.id = p.hire_id
WHERE p.status = 'active' AND (p.created_at >= :since OR (p.start_date >= :pulse_from AND
  COALESCE((SELECT max(q.due_on) FROM pulse_checkins q WHERE q.plan_id = p.id), p.start_date)
  < :answered_by))
"""


def child(url: str, mode: str, now: datetime, repeat: int) -> dict:
    from tracker.extensions import db
    from tracker.jobs.sweep import sweep
    from tracker.models import Notification, SweepProblem

    app = make_app(url)
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *args, **kw: statements.append(1))
        db.session.execute(sa.text("SELECT 1"))  # connect before the baseline is taken
        base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        samples, out, read = [], None, None
        if mode == "dry":  # how many plans the sweep reads, outside the timing
            from tracker.reminders.plan import planned
            read = len(planned(now).read)
            db.session.rollback()
        for _ in range(repeat if mode in ("sql", "dry") else 1):
            statements.clear()
            started = time.perf_counter()
            if mode == "sql":
                day = now.date()
                out = len(db.session.execute(sa.text(HAND_WRITTEN), {
                    "due_from": day - timedelta(days=19), "due_to": day + timedelta(days=12),
                    "waiting": now - timedelta(days=1), "since": now - timedelta(days=7),
                    "pulse_from": day - timedelta(days=400),
                    "answered_by": day - timedelta(days=8)}).all())
            elif mode == "dry":
                out = sum(sweep(now, dry_run=True).counts.values())
            else:  # prime: every plan read, as the first sweep after a deploy does
                before = db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0
                out = sweep(now - PRIME_BEFORE if mode == "prime" else now,
                            read_all=mode == "prime").counts
            samples.append(time.perf_counter() - started)
            db.session.rollback()
        count = len(statements)
        if mode == "prime":  # its messages were never sent: their plans owe them still
            from tracker.models import Plan

            owing = sa.select(Notification.plan_id).where(Notification.id > before,
                                                           Notification.plan_id.is_not(None))
            db.session.execute(sa.update(Plan).where(Plan.id.in_(owing))
                               .values(next_reminder_at=None))
        if mode in ("real", "prime"):  # put the outbox back, so the next run finds the same work
            db.session.execute(sa.delete(Notification).where(Notification.id > before))
            db.session.execute(sa.delete(SweepProblem))
            db.session.commit()
        db.engine.dispose()
    kinds = out if isinstance(out, dict) else {}
    return {"seconds": statistics.median(samples), "kinds": kinds, "read": read,
            "rows": sum(kinds.values()) if kinds else out, "statements": count,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "base_mb": base_mb}


def run(url: str, mode: str, args) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--now", args.now,
               "--repeat", str(args.repeat), url]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="database URLs, smallest first")
    parser.add_argument("--now", default=NOW)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.urls[0], args.child, datetime.fromisoformat(args.now),
                               args.repeat)))
        return
    results = {url: {mode: run(url, mode, args) for mode in MODES}
               for url in args.urls}
    first = results[args.urls[0]]
    print(f"{'database':36} {'sql s':>7} {'dry s':>7} {'real s':>7} {'dry/sql':>8} "
          f"{'growth':>7} {'stmts':>6} {'read':>6} {'rows':>6} {'peak MB':>8} {'base MB':>8}"
          f" {'prime s':>8} {'prime MB':>8}")
    for url, r in results.items():
        print(f"{url[-36:]:36} {r['sql']['seconds']:7.3f} {r['dry']['seconds']:7.3f} "
              f"{r['real']['seconds']:7.3f} {r['dry']['seconds'] / r['sql']['seconds']:7.1f}x "
              f"{r['dry']['seconds'] / first['dry']['seconds']:6.2f}x "
              f"{r['dry']['statements']:6} {r['dry']['read']:6} {r['real']['rows']:6} "
              f"{r['real']['peak_mb']:8.0f} {r['real']['base_mb']:8.0f} "
              f"{r['prime']['seconds']:8.1f} {r['prime']['peak_mb']:8.0f}")
    for url, r in results.items():
        print(f"  {url[-40:]}: {json.dumps(r['real']['kinds'], sort_keys=True)}")
    print("read: plans the sweep read; prime: a real sweep reading every plan an hour before "
          "--now (as the first sweep after a deploy), which leaves each plan's next reminder "
          "time as a running scheduler would; its rows are deleted again")
    print("growth: dry-run time against the first database; rows: outbox rows the real sweep "
          "queued (the same at every size when seeded with the same --now); peak MB: "
          "ru_maxrss of the real sweep's process, base MB: the same before it swept")


if __name__ == "__main__":
    main()
