"""`tracker webhooks deliver`: the scheduler's webhooks job by hand or from cron."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from tracker.cli.outbox import Instant


@click.group()
def webhooks():
    """Outgoing webhooks (endpoints are managed at /admin/webhooks)."""


@webhooks.command("deliver")
@click.option("--once", is_flag=True, help="Deliver everything due, then exit.")
@click.option("--now", type=Instant(), help="Deliver as if the clock read this instant.")
@click.option("--every", type=click.IntRange(min=1), default=30, show_default=True,
              help="Without --once: seconds between rounds.")
@with_appcontext
def deliver(once, now, every):
    """POST queued webhook deliveries: claimed with a lease, retried with backoff, once each."""
    from tracker.jobs.deliver import deliver as run_deliver

    while True:
        report = run_deliver(now)
        click.echo(f"delivered {report.sent}, failed {report.failed} (retried "
                   f"{report.retried}, dead {report.dead}), skipped {report.skipped}")
        for line in report.errors[:20]:
            click.echo(f"  {line}", err=True)
        if once:
            return
        time.sleep(every)
