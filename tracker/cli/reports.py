"""`tracker reports refresh`: work out every plan's report facts that are due, now.

The scheduler does it on each tick and a report page does it for the few plans changed since
the last read; this is for the first time on a large database (after the upgrade that adds the
facts, a bulk load, other at-risk thresholds), when the pages read the live statements until
it is done. ``--all`` works out every plan again, whatever it holds.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.models import Plan
from tracker.services.rollup import refresh


@click.group("reports")
def reports():
    """The totals the reports and HR's overview read."""


@reports.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Work out every plan again.")
@with_appcontext
def refresh_command(everything: bool) -> None:
    """Work out the facts of every plan that changed or whose day has come."""
    if everything:
        db.session.execute(sa.update(Plan).values(facts_until=None))
        db.session.commit()
    today = datetime.now(timezone.utc).date()
    started = time.perf_counter()

    def progress(done: int) -> None:
        click.echo(f"\r{done} plans worked out", nl=False, err=True)

    done = refresh(today, progress=progress)
    click.echo(f"\rWorked out {done} plans in {time.perf_counter() - started:.1f}s; the reports "
               f"are up to date for {today.isoformat()}.")
