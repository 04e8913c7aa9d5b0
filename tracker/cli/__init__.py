"""`flask --app wsgi tracker ...`: commands for operators and scripts."""
import click

from tracker.cli.accounts import create_admin
from tracker.cli.backup import backup, restore
from tracker.cli.chat import chat
from tracker.cli.demo import demo
from tracker.cli.outbox import dispatch, mail, sweep
from tracker.cli.plan import plan
from tracker.cli.reports import reports
from tracker.cli.roles import roles
from tracker.cli.serve import scheduler, serve
from tracker.cli.tokens import token
from tracker.cli.webhooks import webhooks


@click.group("tracker")
def tracker_cli():
    """Onboarding tracker commands."""


tracker_cli.add_command(roles)
tracker_cli.add_command(plan)
tracker_cli.add_command(create_admin)
tracker_cli.add_command(demo)
tracker_cli.add_command(sweep)
tracker_cli.add_command(reports)
tracker_cli.add_command(dispatch)
tracker_cli.add_command(mail)
tracker_cli.add_command(scheduler)
tracker_cli.add_command(serve)
tracker_cli.add_command(backup)
tracker_cli.add_command(restore)
tracker_cli.add_command(webhooks)
tracker_cli.add_command(token)
tracker_cli.add_command(chat)
