"""`tracker demo`: people and plans to look at, and bulk hires for load tests."""
from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.models import User
from tracker.services.demo import add_bulk_hires, seed_demo


@click.command()
@click.option("--hires", type=click.IntRange(min=0), default=0,
              help="Also add this many hires with plans (for load tests).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has any user.")
@with_appcontext
def demo(hires, if_empty):
    """Create the demo company (idempotent) and print its logins."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has users; demo data not loaded (--if-empty).")
        return
    logins = seed_demo()
    db.session.commit()
    if hires:
        started = time.perf_counter()
        with click.progressbar(length=hires, label=f"Adding {hires} hires") as bar:
            done = [0]

            def step(total):
                db.session.commit()
                bar.update(total - done[0])
                done[0] = total

            add_bulk_hires(hires, checkpoint=step)
            db.session.commit()
            bar.update(hires - done[0])
        elapsed = time.perf_counter() - started
        click.echo(f"Added {hires} hires in {elapsed:.1f}s ({hires / elapsed * 60:.0f} per minute).")
    click.echo("\nDemo logins (all share one password):")
    for role, email, password in logins:
        click.echo(f"  {role:11} {email:34} {password}")
