"""`tracker scheduler` and `tracker serve`: the scheduler process, and local development."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple


@click.command()
@with_appcontext
def scheduler():
    """Run the scheduler (sweep, dispatch, weekly digest) until stopped."""
    from tracker.jobs.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()
    click.echo("Scheduler running: sweep every {} min, dispatch every {} s (Ctrl+C to stop)."
               .format(app.config["SWEEP_EVERY_MINUTES"], app.config["DISPATCH_EVERY_SECONDS"]))
    try:
        build_scheduler(app).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Serve pages only; send nothing.")
@with_appcontext
def serve(host, port, no_scheduler):
    """Local development: the web app with the scheduler inside it (one process, no reloader)."""
    from tracker.jobs.scheduler import start_in_background
    from tracker.mail.backends import mail_dir

    app = current_app._get_current_object()
    if not no_scheduler:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        start_in_background(app)
        where = (mail_dir(app) if app.config["MAIL_BACKEND"] == "file"
                 else f"{app.config['MAIL_SERVER']}:{app.config['MAIL_PORT']}")
        click.echo(f"Scheduler embedded: reminders are written to {where}")
    # Not app.run(): under the flask command it deliberately does nothing.
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
