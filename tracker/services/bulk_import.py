"""Hires from a CSV file: every row checked first, and all of them created or none.

Each row goes through ``hires.create_hire``, the service behind the new-hire form, inside a
savepoint of its own, so a row is judged by exactly the rules a person typing it would meet
(and sees the earlier rows of the same file: a manager hired on line 2 can manage line 5). A
dry run, or any row with a problem, rolls the whole file back; only a file without a single
problem is kept, in one transaction.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from tracker.database import savepoint
from tracker.extensions import db
from tracker.models import User
from tracker.services.errors import InputError
from tracker.services.hires import create_hire

REQUIRED = ("name", "email", "role", "start_date", "manager")
OPTIONAL = ("buddy", "timezone", "layers", "baseline")
MAX_ROWS = 1000
YES, NO = {"", "yes", "y", "true", "1"}, {"no", "n", "false", "0"}


@dataclass
class RowResult:
    line: int
    name: str
    email: str
    role: str
    start: str
    problems: list[str] = field(default_factory=list)
    goals: int = 0
    rehired: bool = False


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows) and not any(r.problems for r in self.rows)

    @property
    def problem_count(self) -> int:
        return len(self.problems) + sum(len(row.problems) for row in self.rows)


def read_rows(text: str) -> tuple[list[dict], list[str]]:
    """The file's rows as dicts by lower-case header, and what is wrong with the file itself."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in headers]
    unknown = [h for h in headers if h and h not in REQUIRED + OPTIONAL]
    problems = []
    if missing:
        problems.append(f"the first line must name the columns; missing: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}; the columns are "
                        f"{', '.join(REQUIRED + OPTIONAL)}")
    if problems:
        return [], problems
    try:
        rows = []
        for raw in reader:
            rows.append({(k or "").strip().lower(): (v or "").strip() if isinstance(v, str)
                         else "" for k, v in raw.items() if k is not None})
            if len(rows) > MAX_ROWS:
                return [], [f"at most {MAX_ROWS} hires per file; split it into smaller files"]
    except csv.Error as error:
        return [], [f"line {reader.line_num}: not readable as CSV ({error})"]
    if not rows:
        problems.append("the file has a header line but no hires")
    return rows, problems


def _start(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("start_date", f"{value[:40]!r} is not a date; write it as "
                                       "2026-09-01") from None


def _one(row: dict, actor: User | None, default_timezone: str) -> tuple[int, bool]:
    baseline = row.get("baseline", "").lower()
    if baseline not in YES | NO:
        raise InputError("baseline", "write yes or no (empty means yes)")
    layers = [s.strip() for s in row.get("layers", "").replace("|", ";").split(";") if s.strip()]
    plan, rehired = create_hire(
        name=row["name"], email=row["email"], timezone=row.get("timezone") or default_timezone,
        role=row["role"], start=_start(row["start_date"]), manager_email=row["manager"],
        buddy_email=row.get("buddy", ""), baseline=baseline in YES, layers=layers, actor=actor)
    db.session.flush()
    return sum(len(m.goals) for m in plan.milestones), rehired


def import_hires(text: str, *, actor: User | None, default_timezone: str,
                 dry_run: bool) -> ImportResult:
    """Check (``dry_run``) or create every hire of a CSV file; the caller commits."""
    rows, problems = read_rows(text)
    result = ImportResult(problems=problems)
    seen: dict[str, int] = {}
    whole = savepoint(db.session)
    try:
        for index, row in enumerate(rows, start=2):  # line 1 is the header
            found = RowResult(index, row.get("name", ""), row.get("email", ""),
                              row.get("role", ""), row.get("start_date", ""))
            result.rows.append(found)
            email = found.email.lower()
            if email in seen:
                found.problems.append(f"email: {found.email} is also on line {seen[email]}")
                continue
            seen[email] = index
            try:
                with savepoint(db.session):
                    found.goals, found.rehired = _one(row, actor, default_timezone)
            except InputError as error:
                found.problems.append(f"{error.field.replace('_', ' ')}: {error.message}")
    except BaseException:
        whole.rollback()
        raise
    if dry_run or not result.ok:
        whole.rollback()
    else:
        whole.commit()
        result.created = len(result.rows)
    return result
