"""`tracker sweep`, `tracker dispatch` and `tracker mail test`: the outbox by hand or from cron.

``--now`` runs as if the clock read that instant, which is how operators replay a missed
period and how tests travel in time; ``--dry-run`` says what would happen and changes nothing.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.mail.backends import get_backend
from tracker.models import utcnow
from tracker.services.errors import InputError
from tracker.services.text_rules import EMAIL


class Instant(click.ParamType):
    """An ISO-8601 instant; one without an offset is read as UTC."""

    name = "ISO-8601"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time such as 2026-11-23T09:00:00+01:00",
                      param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "nothing"


# `tracker sweep` exits with this when it left plans out but queued everyone else's reminders:
# not 1 (a crash, nothing written) and not 2 (a usage error), so cron and monitoring can tell
# "HR has a plan to fix" from "the sweep is broken".
SOME_PLANS_LEFT_OUT = 3
LISTED = 20


@click.command()
@click.option("--now", type=Instant(), help="Sweep as if the clock read this instant.")
@click.option("--dry-run", is_flag=True, help="Count what would be queued; write nothing.")
@click.option("--all", "read_all", is_flag=True,
              help="Read every running plan, not only those whose next reminder time has come.")
@with_appcontext
def sweep(now, dry_run, read_all):
    """Queue every reminder that is due (running it twice queues nothing new).

    Exits 0 when every plan was swept, and 3 when some plans could not be worked out: the
    others' reminders were queued all the same, and the plans left out are listed here and
    on the outbox page (/admin/outbox) until a sweep no longer fails on them.
    """
    from tracker.jobs.sweep import sweep as run_sweep

    result = run_sweep(now or utcnow(), dry_run=dry_run, read_all=read_all)
    counts = dict(result.counts)
    stale = counts.pop("skipped_stale", 0)
    verb = "would queue" if dry_run else "queued"
    click.echo(f"{verb} {sum(counts.values())}: {_counts(counts)}")
    if stale:
        click.echo(f"{'would record' if dry_run else 'recorded'} {stale} as skipped_stale "
                   "(missed by more than REMINDER_STALE_HOURS)")
    if result.failed:
        click.echo(f"{'would leave' if dry_run else 'left'} out {len(result.failed)} "
                   f"plan{'s' if len(result.failed) > 1 else ''} it could not work out; "
                   "every other plan was swept (see /admin/outbox):", err=True)
        for plan_id, error in sorted(result.failed.items())[:LISTED]:
            click.echo(f"  plan {plan_id}: {error}", err=True)
        click.get_current_context().exit(SOME_PLANS_LEFT_OUT)


@click.command()
@click.option("--once", is_flag=True, help="Send everything due, then exit.")
@click.option("--now", type=Instant(), help="Send as if the clock read this instant.")
@click.option("--dry-run", is_flag=True, help="Count what is due; send nothing.")
@click.option("--every", type=click.IntRange(min=1), default=30, show_default=True,
              help="Without --once: seconds between rounds.")
@with_appcontext
def dispatch(once, now, dry_run, every):
    """Send queued notifications: claimed with a lease, retried with backoff, once each."""
    from tracker.jobs.dispatch import dispatch as run_dispatch
    from tracker.jobs.dispatch import due_now

    if dry_run:
        due = due_now(now or utcnow())
        click.echo(f"would send {sum(due.values())}: {_counts(due)}")
        return
    while True:
        report = run_dispatch(now)
        click.echo(f"sent {report.sent}, failed {report.failed} (retried {report.retried}, "
                   f"dead {report.dead}), skipped {report.skipped}"
                   + (f", lost {report.lost} (a lease ran out mid-send)" if report.lost else ""))
        if report.stopped:
            click.echo(f"stopped: the mail server failed, the rest waits for the next run: "
                       f"{report.stopped}", err=True)
        for line in report.errors[:20]:
            click.echo(f"  {line}", err=True)
        if once:
            return
        time.sleep(every)


@click.group()
def mail():
    """Check the mail setup."""


@mail.command("test")
@click.argument("address")
@with_appcontext
def mail_test(address):
    """Send one message to ADDRESS now, through the configured backend."""
    try:
        address = EMAIL.check(address)
    except InputError as error:
        raise click.ClickException(error.message) from None
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = "Onboarding Tracker: test message"
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = address
    message["Message-ID"] = make_msgid(domain="tracker.test")
    message.set_content("If you can read this, the tracker can send you email.\n")
    where = (f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}" if config["MAIL_BACKEND"] == "smtp"
             else "the file backend")
    try:
        with get_backend() as backend:
            backend.send(message)
    except Exception as error:  # noqa: BLE001 - the operator needs the server's words, in full
        from tracker.jobs.dispatch import describe

        raise click.ClickException(f"sending through {where} failed: {describe(error)}") from None
    click.echo(f"Sent a test message to {address} through {where}.")
