"""Due dates: a table worked out by hand with a calendar, then properties over 1990-2100."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.models import MilestoneKey
from tracker.services.due_dates import add_months, apply_weekend_rule, due_dates

D = date.fromisoformat
KEYS = [k.value for k in MilestoneKey]

# start: {rule: (d30, d60, d90, m6, m12)}. Raw dates and their weekdays were worked out by hand:
# days count calendar days, months clamp to the month's end, each from the start itself.
CASES = {
    # Saturday start at a month end: Jan 31 + 6 months is Jul 31; +12 lands on Sunday Jan 31.
    "2026-01-31": {
        "none": ("2026-03-02", "2026-04-01", "2026-05-01", "2026-07-31", "2027-01-31"),
        "next": ("2026-03-02", "2026-04-01", "2026-05-01", "2026-07-31", "2027-02-01"),
        "previous": ("2026-03-02", "2026-04-01", "2026-05-01", "2026-07-31", "2027-01-29"),
    },
    # Aug 31 + 6 months clamps to Feb 28 (a Sunday in 2027); day 90 is Sunday Nov 29.
    "2026-08-31": {
        "none": ("2026-09-30", "2026-10-30", "2026-11-29", "2027-02-28", "2027-08-31"),
        "next": ("2026-09-30", "2026-10-30", "2026-11-30", "2027-03-01", "2027-08-31"),
        "previous": ("2026-09-30", "2026-10-30", "2026-11-27", "2027-02-26", "2027-08-31"),
    },
    # Into a leap year: Aug 31 2023 + 6 months is Feb 29 2024; +12 is Saturday Aug 31 2024.
    "2023-08-31": {
        "none": ("2023-09-30", "2023-10-30", "2023-11-29", "2024-02-29", "2024-08-31"),
        "next": ("2023-10-02", "2023-10-30", "2023-11-29", "2024-02-29", "2024-09-02"),
        "previous": ("2023-09-29", "2023-10-30", "2023-11-29", "2024-02-29", "2024-08-30"),
    },
    # Starting on a leap day: +12 months clamps to Feb 28 2025; day 30 is Saturday Mar 30.
    "2024-02-29": {
        "none": ("2024-03-30", "2024-04-29", "2024-05-29", "2024-08-29", "2025-02-28"),
        "next": ("2024-04-01", "2024-04-29", "2024-05-29", "2024-08-29", "2025-02-28"),
        "previous": ("2024-03-29", "2024-04-29", "2024-05-29", "2024-08-29", "2025-02-28"),
    },
    # Never chained: Nov 30 + 6 months is May 30 (not a clamped day carried forward).
    "2025-11-30": {
        "none": ("2025-12-30", "2026-01-29", "2026-02-28", "2026-05-30", "2026-11-30"),
        "next": ("2025-12-30", "2026-01-29", "2026-03-02", "2026-06-01", "2026-11-30"),
        "previous": ("2025-12-30", "2026-01-29", "2026-02-27", "2026-05-29", "2026-11-30"),
    },
    # Across a year end.
    "2026-12-31": {
        "none": ("2027-01-30", "2027-03-01", "2027-03-31", "2027-06-30", "2027-12-31"),
        "next": ("2027-02-01", "2027-03-01", "2027-03-31", "2027-06-30", "2027-12-31"),
        "previous": ("2027-01-29", "2027-03-01", "2027-03-31", "2027-06-30", "2027-12-31"),
    },
    # A 31st followed by 30-day months: Mar 31 + 6 months is Sep 30, + 12 is Mar 31.
    "2026-03-31": {
        "none": ("2026-04-30", "2026-05-30", "2026-06-29", "2026-09-30", "2027-03-31"),
        "next": ("2026-04-30", "2026-06-01", "2026-06-29", "2026-09-30", "2027-03-31"),
        "previous": ("2026-04-30", "2026-05-29", "2026-06-29", "2026-09-30", "2027-03-31"),
    },
}
TABLE = [(start, rule, expected) for start, rules in CASES.items() for rule, expected in rules.items()]


@pytest.mark.parametrize("start,rule,expected", TABLE)
def test_due_dates_match_the_hand_worked_table(start, rule, expected):
    got = due_dates(D(start), rule)
    assert [got[MilestoneKey(k)].isoformat() for k in KEYS] == list(expected)


@pytest.mark.parametrize("start,months,expected", [
    ("2026-01-31", 1, "2026-02-28"), ("2024-01-31", 1, "2024-02-29"),
    ("2026-01-15", 12, "2027-01-15"), ("2026-12-31", 2, "2027-02-28"),
    ("2100-01-29", 1, "2100-02-28"),  # 2100 is not a leap year
])
def test_add_months_clamps_to_the_end_of_shorter_months(start, months, expected):
    assert add_months(D(start), months) == D(expected)


def test_weekend_rule_moves_saturday_and_sunday_only():
    saturday, sunday, friday = D("2026-11-28"), D("2026-11-29"), D("2026-11-27")
    assert apply_weekend_rule(saturday, "next") == D("2026-11-30")
    assert apply_weekend_rule(sunday, "next") == D("2026-11-30")
    assert apply_weekend_rule(saturday, "previous") == friday
    assert apply_weekend_rule(sunday, "previous") == friday
    assert apply_weekend_rule(friday, "next") == friday
    assert apply_weekend_rule(sunday, "none") == sunday


def test_unknown_weekend_rule_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="next, previous, none"):
        apply_weekend_rule(D("2026-11-28"), "sideways")


starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=2000, deadline=None)
@given(start=starts, rule=st.sampled_from(["next", "previous"]))
def test_milestones_strictly_increase_and_avoid_weekends(start, rule):
    dates = list(due_dates(start, rule).values())
    assert all(a < b for a, b in zip(dates, dates[1:]))
    assert all(d.weekday() < 5 for d in dates)
    assert dates[0] > start


@settings(max_examples=2000, deadline=None)
@given(start=starts)
def test_every_milestone_is_measured_from_the_start_not_chained(start):
    raw = due_dates(start, "none")
    assert raw[MilestoneKey.D30] - start == timedelta(days=30)
    assert raw[MilestoneKey.D90] - start == timedelta(days=90)
    for key, months in ((MilestoneKey.M6, 6), (MilestoneKey.M12, 12)):
        due = raw[key]
        assert (due.year * 12 + due.month) - (start.year * 12 + start.month) == months
        # Same day of month, or the target month is too short and we are on its last day.
        assert due.day == start.day or (due.day < start.day and (due + timedelta(days=1)).day == 1)
    dates = list(raw.values())
    assert all(a < b for a, b in zip(dates, dates[1:]))
