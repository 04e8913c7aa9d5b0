"""What the reports and the overview's counts are read from at any size: each plan's own
contribution (``PlanFacts``), their sums by role, start quarter and layer (``ReportTotal``), and
the day and thresholds they were worked out for (``ReportState``).

The live statements in ``services/reports.py``, ``report_tables.py`` and ``overview.py`` read
every plan; at 100,000 hires they take seconds (bench/README.md). The totals hold a few rows
per role, quarter and key whatever the number of hires, and stay exact: a plan's facts are
worked out again whenever it changes (``fact_marks.py`` clears ``Plan.facts_until``) or when
time alone changes them (the day a milestone with open goals falls due), and its old facts are
subtracted from the totals as its new ones are added (``services/rollup.py``).
"""
from __future__ import annotations

from datetime import date
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base

ALL_LAYERS = 0  # ``ReportTotal.layer_id`` of the rows that count every plan, with layers or not
# Reports whose keys grow with the company (a row per reviewer) also keep cells summed over
# every role and start quarter, so the unfiltered report reads a row per key, not per key, role
# and quarter.
WIDE = frozenset({"reviews"})
ANY_ROLE, ANY_COHORT = 0, "*"


class PlanFacts(Base):
    """One plan's contribution to every total, as the rows it added (so they can be taken
    away again exactly). Plans are never deleted (``append_only.py``), so neither are these."""

    __tablename__ = "plan_facts"

    plan_id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    rows: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)


class ReportTotal(Base):
    """The sum of every plan's facts for one report, role, start quarter, layer and key.

    ``n0``..``n3`` and ``total`` are whole numbers whose meaning is the report's own
    (``services/rollup.py``, ``work_out``): counts, and in ``total`` a sum for an average
    (pulse answers, review seconds) or the overview's goals waiting for review."""

    __tablename__ = "report_totals"
    __table_args__ = (
        sa.UniqueConstraint("report", "layer_id", "role_id", "cohort", "key",
                            name="uq_report_totals_cell"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    report: so.Mapped[str] = so.mapped_column(sa.String(16))
    layer_id: so.Mapped[int]
    role_id: so.Mapped[int]
    cohort: so.Mapped[str] = so.mapped_column(sa.String(8))
    key: so.Mapped[str] = so.mapped_column(sa.String(200))
    n0: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    n1: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    n2: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    n3: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    total: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class ReportState(Base):
    """One row: the latest day the totals were brought up to, and the at-risk thresholds they
    were worked out with (other thresholds after a restart: every plan is worked out again)."""

    __tablename__ = "report_state"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    as_of: so.Mapped[Optional[date]]
    thresholds: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
