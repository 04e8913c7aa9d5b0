"""The scheduler: APScheduler 3 ticking the sweep and the dispatchers (mail, webhooks), and
nothing more.

Correctness lives in the database (unique dedupe keys, leased claims), so the scheduler only
has to tick: an in-memory job store, UTC, coalesced runs, one instance of each job at a time,
and a generous misfire grace. Two schedulers at once, or one restarted after days down, still
send each message once. It runs as its own process (`tracker scheduler`) or, for local
development only, inside `tracker serve`; web workers never start one.
"""
from __future__ import annotations

import logging
from datetime import timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from tracker.models import utcnow

log = logging.getLogger("tracker.scheduler")


def sweep_job(app: Flask) -> None:
    from tracker.jobs.sweep import sweep

    with app.app_context():
        result = sweep(utcnow())
        if any(result.counts.values()):
            log.info("sweep queued %s", result.counts)
        if result.failed:  # each one was logged with its traceback as it happened
            log.warning("sweep left out %d plans it could not work out (ids %s); every other "
                        "plan was swept, and the outbox page lists them",
                        len(result.failed), sorted(result.failed))
        _at_risk_webhooks()
        _report_facts()


def _report_facts() -> None:
    """The reports' totals brought up to today (services/rollup.py): the plans changed since
    the last tick and those a milestone fell due for; all of them the first time."""
    from tracker.services.rollup import refresh

    try:
        done = refresh(utcnow().date())
    except Exception:  # noqa: BLE001 - logged; the pages read the live statements meanwhile
        log.exception("sweep could not bring the report totals up to date")
        return
    if done:
        log.info("sweep worked out the report facts of %d plans", done)


def _at_risk_webhooks() -> None:
    """Plans at risk today, for the webhooks that listen (tracker/webhooks/at_risk.py)."""
    from tracker.webhooks.at_risk import sweep_at_risk

    try:
        queued = sweep_at_risk(utcnow())
    except Exception:  # noqa: BLE001 - logged; the next sweep tries again
        log.exception("sweep could not queue the plan.at_risk webhooks")
        return
    if queued:
        log.info("sweep queued %d plan.at_risk webhook deliveries", queued)


def dispatch_job(app: Flask) -> None:
    from tracker.jobs.dispatch import dispatch

    with app.app_context():
        report = dispatch()
        if report.sent or report.failed or report.skipped:
            log.info("dispatch sent %d, retried %d, dead %d, skipped %d",
                     report.sent, report.retried, report.dead, report.skipped)


def webhooks_job(app: Flask) -> None:
    """Beside the mail dispatcher, not in it: a slow receiver never holds up the email."""
    from tracker.jobs.deliver import deliver

    with app.app_context():
        report = deliver()
        if report.sent or report.failed or report.skipped:
            log.info("webhooks delivered %d, retried %d, dead %d, skipped %d",
                     report.sent, report.retried, report.dead, report.skipped)


def digest_job(app: Flask) -> None:
    """The weekly digest job. The digests themselves are queued by the regular sweep, at each
    manager's local hour (a fixed UTC time would be the middle of the night somewhere); this
    weekly tick is one more sweep on digest day, which costs little and names the job in logs."""
    sweep_job(app)


def build_scheduler(app: Flask, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    config = app.config
    scheduler = kind(timezone=timezone.utc, job_defaults={
        "coalesce": True, "max_instances": 1,
        "misfire_grace_time": config["SCHEDULER_MISFIRE_GRACE_SECONDS"]})
    now = utcnow()
    scheduler.add_job(sweep_job, "interval", args=[app], id="sweep", name="sweep",
                      minutes=config["SWEEP_EVERY_MINUTES"], next_run_time=now)
    scheduler.add_job(dispatch_job, "interval", args=[app], id="dispatch", name="dispatch",
                      seconds=config["DISPATCH_EVERY_SECONDS"], next_run_time=now)
    scheduler.add_job(webhooks_job, "interval", args=[app], id="webhooks", name="webhooks",
                      seconds=config["DISPATCH_EVERY_SECONDS"], next_run_time=now)
    if config["DIGEST_WEEKDAY"] >= 0:
        scheduler.add_job(digest_job, "cron", args=[app], id="digest", name="digest",
                          day_of_week=config["DIGEST_WEEKDAY"], hour=0, minute=5)
    return scheduler


def start_in_background(app: Flask) -> BaseScheduler:
    """For `tracker serve` only: the same jobs in a thread of the development server."""
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    return scheduler
