"""Writing plan facts and keeping the totals their exact sum (``models/report_facts.py``).

A fact row is ``[report, layer_id, role_id, cohort, key, n0, n1, n2, n3, total]``. Replacing a
plan's facts subtracts its old rows from the totals and adds its new ones, as one upsert per
changed cell (``INSERT .. ON CONFLICT DO UPDATE SET n = n + excluded.n`` on both databases), in
the cells' order, so two writers never wait on each other in opposite orders.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.models import Plan, PlanFacts, ReportTotal

MEASURES = ("n0", "n1", "n2", "n3", "total")
CELL = ("report", "layer_id", "role_id", "cohort", "key")


def _add(into: dict, rows, sign: int) -> None:
    for row in rows:
        cell = into[tuple(row[:5])]
        for i, value in enumerate(row[5:]):
            cell[i] += sign * value


def _upsert(connection, changes: dict) -> None:
    changes = {cell: values for cell, values in changes.items() if any(values)}
    if not changes:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ReportTotal.__table__)
    table = ReportTotal.__table__
    statement = insert.on_conflict_do_update(
        index_elements=[table.c[name] for name in ("report", "layer_id", "role_id", "cohort",
                                                   "key")],
        set_={name: table.c[name] + insert.excluded[name] for name in MEASURES})
    connection.execute(statement, [dict(zip(CELL + MEASURES, (*cell, *values)))
                                   for cell, values in sorted(changes.items())])


def _old_rows(connection, plan_ids: list[int]) -> dict[int, list]:
    table = PlanFacts.__table__
    return {plan_id: rows or [] for plan_id, rows in connection.execute(
        sa.select(table.c.plan_id, table.c.rows).where(table.c.plan_id.in_(plan_ids)))}


def replace_facts(connection, facts: dict[int, list], until: dict[int, date]) -> None:
    """Store ``facts`` (plan id → rows) as those plans' facts, move the totals by the
    difference, and mark each plan worked out until ``until[plan id]``."""
    ids = sorted(facts)
    if not ids:
        return
    old = _old_rows(connection, ids)
    changes: dict = defaultdict(lambda: [0] * len(MEASURES))
    for plan_id in ids:
        _add(changes, old.get(plan_id, []), -1)
        _add(changes, facts[plan_id], +1)
    _upsert(connection, changes)
    table = PlanFacts.__table__
    connection.execute(sa.delete(table).where(table.c.plan_id.in_(ids)))
    connection.execute(sa.insert(table), [{"plan_id": plan_id, "rows": facts[plan_id]}
                                          for plan_id in ids])
    plans = Plan.__table__
    connection.execute(sa.update(plans).where(plans.c.id == sa.bindparam("plan"))
                       .values(facts_until=sa.bindparam("until")),
                       [{"plan": plan_id, "until": until[plan_id]} for plan_id in ids])
