"""`tracker plan preview`: the dates and goals a plan would get, for people and scripts."""
from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.models import TemplateKind
from tracker.services.due_dates import WEEKEND_RULES
from tracker.services.plans import preview
from tracker.services.role_versions import (
    current_baseline,
    current_version,
    templates_overview,
)


def parse_day(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@click.group()
def plan():
    """Plans."""


@plan.command("preview")
@click.argument("role_slug")
@click.option("--start", required=True, callback=parse_day, help="Start date, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--weekend-rule", type=click.Choice(WEEKEND_RULES),
              help="Override DUE_DATE_WEEKEND_RULE for this preview.")
@click.option("--no-baseline", is_flag=True, help="Leave out the company baseline goals.")
@with_appcontext
def preview_command(role_slug, start, as_json, weekend_rule, no_baseline):
    """Each milestone of a ROLE_SLUG plan starting on --start, with due date and goals."""
    version = current_version(role_slug)
    if version is None or version.template.kind != TemplateKind.ROLE:
        known = ", ".join(t.slug for t, _, _ in templates_overview() if t.kind == TemplateKind.ROLE)
        raise click.ClickException(
            f"no role {role_slug!r} is loaded. Known roles: {known or 'none (run tracker roles load)'}")
    rule = weekend_rule or current_app.config["DUE_DATE_WEEKEND_RULE"]
    baseline = None if no_baseline else current_baseline()
    items = preview(version, start, rule=rule, baseline=baseline)
    if as_json:
        click.echo(json.dumps({
            "role": version.template.slug, "version": version.number,
            "start": start.isoformat(), "weekend_rule": rule,
            "milestones": [{
                "key": item.key.value, "title": item.title, "due": item.due.isoformat(),
                "goals": [{"title": g.title, "owner": g.owner.value,
                           "evidence_required": g.evidence_required, "source": source.value}
                          for source, g in item.goals],
            } for item in items],
        }, indent=2))
        return
    click.echo(f"{version.template.name} (v{version.number}), starting {start:%a %d %b %Y}, "
               f"weekend rule: {rule}")
    for item in items:
        click.echo(f"\n{item.key.label:>9}  {item.due:%a %Y-%m-%d}  {item.title}")
        for source, goal in item.goals:
            evidence = "evidence" if goal.evidence_required else "tick"
            tag = " [baseline]" if source.value == "baseline" else ""
            click.echo(f"{'':11}- {goal.title} ({goal.owner.value}, {evidence}){tag}")
