"""HR's reports and exports: pages with a chart and its numbers, and CSV streamed as it is read.

Every report takes the same filters (role, start cohort) from the query string; unknown values
are ignored. A CSV is a streamed response: the rows leave as the database yields them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, abort, render_template, request, stream_with_context

from tracker.admin import admin_required, bp
from tracker.security import id_arg
from tracker.services import report_tables, rollup_read
from tracker.services.exports import (
    GOAL_HEADER,
    PLAN_HEADER,
    goal_rows,
    plan_rows,
    rows_as_csv,
)
from tracker.services.layers import layer_choices
from tracker.services.overview import cohorts
from tracker.services.plan_pages import plan_list_filter, role_choices
from tracker.services.reports import late_goals, plan_filter

CHART_ROWS = 15  # the chart shows the worst goals; the table and the CSV hold every one
REVIEWERS_SHOWN = 50  # the slowest reviewers on the page; the CSV holds every one


def _today():
    return datetime.now(timezone.utc).date()


def _csv(name: str, header: list[str], rows) -> Response:
    stamp = _today().isoformat()
    return Response(stream_with_context(rows_as_csv(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'})


def _report_filter():
    """The live SQL filter, the choices kept, and the choices as given (for the totals)."""
    given = {name: request.args.get(name, "") for name in ("role", "layer", "cohort")}
    return (*plan_filter(**given), given)


def _filter_choices() -> dict:
    """What the report filters offer: roles, layers (teams and contexts) and start quarters."""
    return {"roles": role_choices(), "cohorts": cohorts(),
            "layers": [(layer.slug, layer.name) for layer in layer_choices()]}


# The reports besides the late goals, by the name in their address: the live statements,
# read when the totals are not ready (services/rollup.py).
# Each takes the filter and how many rows the page shows (only the reviews have that many).
TABLES = {
    "milestones": lambda where, _: report_tables.milestone_completion(where, _today()),
    "check-ins": lambda where, _: report_tables.checkin_ratings(where),
    "pulses": lambda where, _: report_tables.pulse_by_week(where),
    "reviews": report_tables.review_times,
}


def _late_goals(where, given):
    today = _today()
    rows = rollup_read.late_goals(given, today)
    return late_goals(where, today) if rows is None else rows


@bp.get("/reports")
@admin_required
def reports():
    return render_template("admin/reports.html", names=list(TABLES))


def _table(name: str, whole: bool = False):
    if name not in TABLES:
        abort(404)
    where, chosen, given = _report_filter()
    limit = None if whole else REVIEWERS_SHOWN
    table = rollup_read.report_table(name, given, _today(), where, limit)
    return (TABLES[name](where, limit) if table is None else table), chosen


@bp.get("/reports/<name>")
@admin_required
def report(name: str):
    table, chosen = _table(name)
    return render_template("admin/report.html", name=name, table=table, chosen=chosen,
                           **_filter_choices())


@bp.get("/reports/<name>.csv")
@admin_required
def report_csv(name: str):
    table, _ = _table(name, whole=True)
    return _csv(name, [h.lower().replace(" · ", "_").replace(" ", "_") for h in table.headers],
                table.rows)


@bp.get("/reports/late-goals")
@admin_required
def late_goals_report():
    """The template goals most often late, waived or sent back, by stable key."""
    where, chosen, given = _report_filter()
    rows = _late_goals(where, given)
    worst = [row for row in rows if row.late][:CHART_ROWS]
    return render_template("admin/report_late_goals.html", rows=rows, worst=worst,
                           chosen=chosen, **_filter_choices())


@bp.get("/reports/late-goals.csv")
@admin_required
def late_goals_csv():
    where, _, given = _report_filter()
    rows = ((r.template, r.key, r.title, r.goals, r.late, r.late_percent, r.waived, r.sent_back)
            for r in _late_goals(where, given))
    return _csv("late-goals", ["template", "goal_key", "title", "plans", "late",
                               "late_percent", "waived", "sent_back"], rows)


def _list_filter():
    """The plan list's own filters, so an export holds what the list shows."""
    args = request.args
    return plan_list_filter(status=args.get("status", "active"), role=args.get("role", ""),
                            manager=id_arg(args.get("manager")), at=args.get("at", ""),
                            risk=args.get("risk", ""), cohort=args.get("cohort", ""),
                            layer=args.get("layer", ""), today=_today())[0]


@bp.get("/plans.csv")
@admin_required
def plans_csv():
    return _csv("plans", PLAN_HEADER, plan_rows(_list_filter(), _today()))


@bp.get("/goals.csv")
@admin_required
def goals_csv():
    return _csv("goals", GOAL_HEADER, goal_rows(_list_filter()))
