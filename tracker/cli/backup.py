"""`tracker backup PATH` and `tracker restore PATH`: the whole installation, for cron and for
the day it is needed. What a backup holds and what a restore checks: services/backup.py."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.formatting import plural
from tracker.services.backup import Progress, create_backup, restore_backup
from tracker.services.backup_manifest import BackupError


class EchoProgress(Progress):
    def step(self, message: str) -> None:
        click.echo(message)

    def each(self, items: list, label: str):
        return click.progressbar(items, label=label, show_pos=True)


def _rows(manifest) -> int:
    return sum(table["rows"] for table in manifest.tables.values())


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(path):
    """Copy the database and every evidence file into the new folder PATH, with a manifest.

    Safe while the app runs. The folder must not exist yet, or be empty.
    """
    try:
        manifest = create_backup(path, EchoProgress())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.session.remove()
    click.echo(f"Backed up {plural(_rows(manifest), 'row')} in "
               f"{plural(len(manifest.tables), 'table')} and "
               f"{plural(len(manifest.uploads), 'evidence file')} to {path} "
               f"(migration {manifest.alembic_revision}).")
    if manifest.missing_evidence_files:
        click.echo(f"Warning: {plural(len(manifest.missing_evidence_files), 'evidence file')} "
                   "the database refers to were not in UPLOAD_DIR: "
                   + ", ".join(manifest.missing_evidence_files), err=True)


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database (and evidence files) that already hold data.")
@with_appcontext
def restore(path, force):
    """Restore the backup in PATH into DATABASE_URL and UPLOAD_DIR.

    Everything is checked before anything changes. Stop the app and the scheduler first; a
    target that holds data needs --force.
    """
    try:
        manifest, aside = restore_backup(path, force=force, progress=EchoProgress())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.session.remove()
    click.echo(f"Restored {plural(_rows(manifest), 'row')} and "
               f"{plural(len(manifest.uploads), 'evidence file')} from the backup made "
               f"{manifest.created_at}; every table matches the manifest.")
    if aside:
        click.echo(f"The evidence files that were there before were moved to {aside}.")
