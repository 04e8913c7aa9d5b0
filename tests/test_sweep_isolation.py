"""One plan that cannot be swept never stops the reminders of the others.

A plan whose data breaks a rule (a due date in the year 9999, written straight into the
database as an old row or a hand edit would be) is left out of the sweep, its problem is kept
for the outbox page and logged, and every other plan gets its reminders as usual. Each test
drives the real sweep against the real database, as tests/test_sweep.py does.
"""
import contextlib
import logging
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.factories import PlanFactory, cast, make_user
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.sweep import sweep
from tracker.models import MilestoneKey, Notification, Plan, PlanMilestone, SweepProblem

UTC = timezone.utc
AFTER_30_DAYS = datetime(2026, 2, 5, 14, 0, tzinfo=UTC)  # Thu; day 30 was Wed 4 Feb 2026


def build_world(app):
    """Two plans starting Mon 5 Jan 2026 with their own people; HR to escalate to."""
    with app.app_context():
        people = cast("admin", "manager", "hire", "other_manager", "other_hire")
        good = PlanFactory(hire=people.hire, manager=people.manager)
        bad = PlanFactory(hire=people.other_hire, manager=people.other_manager)
        db.session.commit()
        return SimpleNamespace(good=good.id, bad=bad.id, hire=people.hire.id,
                               other_hire=people.other_hire.id)


world = cached_world(build_world)


def set_due(app, plan_id: int, key: MilestoneKey, due: date) -> None:
    """Straight into the table, past the service that bounds due dates: an old or edited row.
    A hand edit in SQL passes the models too, so it clears the plan's next reminder time, as
    the README tells whoever edits rows by hand to do (or to run ``tracker sweep --all``)."""
    with app.app_context():
        db.session.execute(sa.update(PlanMilestone)
                           .where(PlanMilestone.plan_id == plan_id, PlanMilestone.key == key)
                           .values(due_date=due))
        db.session.execute(sa.update(Plan).where(Plan.id == plan_id)
                           .values(next_reminder_at=None))
        db.session.commit()


def plans_in_outbox(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Notification.plan_id).distinct()))


def problems(app) -> dict[int, SimpleNamespace]:
    with app.app_context():
        return {p.plan_id: SimpleNamespace(error=p.error, failures=p.failures,
                                           first=p.first_failed_at, last=p.last_failed_at,
                                           resolved=p.resolved_at)
                for p in db.session.scalars(sa.select(SweepProblem))}


@pytest.mark.parametrize("key, due", [(MilestoneKey.M12, date(9999, 12, 31)),
                                      (MilestoneKey.D60, date(1, 1, 1))],
                         ids=["year-9999", "year-1"])
def test_a_plan_with_a_date_out_of_range_is_left_out_and_the_others_are_swept(
        app, world, caplog, key, due):
    set_due(app, world.bad, key, due)
    with caplog.at_level(logging.ERROR):
        result = sweep_at(app, AFTER_30_DAYS)
    assert result.counts["checkin_invite"] == 2 and result.counts["goal_overdue"] >= 1
    assert plans_in_outbox(app) - {None} == {world.good}
    assert result.failed == {world.bad: result.failed[world.bad]}
    found = problems(app)
    assert set(found) == {world.bad}
    assert "too far in the past or the future" in found[world.bad].error
    assert "OverflowError" in found[world.bad].error
    assert found[world.bad].failures == 1 and found[world.bad].resolved is None
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"plan {world.bad}" in r.getMessage() and r.exc_info for r in logged)


def test_a_manager_still_gets_the_digest_with_the_reports_that_can_be_worked_out(app, world):
    with app.app_context():
        other_manager = db.session.get(Plan, world.bad).manager
        PlanFactory(hire=make_user(name="Nia New"), manager=other_manager)
        db.session.commit()
    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))
    monday = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    assert sweep_at(app, monday).counts["digest"] == 2
    with app.app_context():
        digests = db.session.scalars(sa.select(Notification)
                                     .where(Notification.kind == "digest")).all()
        reports = {n.recipient.email: [r["hire_name"] for r in n.payload["reports"]]
                   for n in digests}
    assert reports == {"manager@example.com": ["Hana Hire"],
                       "other.manager@example.com": ["Nia New"]}  # not Otto, left out


def sweep_at(app, now: datetime, **kwargs):
    with app.app_context():
        return sweep(now, **kwargs)


def test_the_problem_is_counted_once_per_plan_and_resolved_when_it_sweeps_cleanly(app, world):
    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))
    sweep_at(app, AFTER_30_DAYS)
    again = sweep_at(app, AFTER_30_DAYS.replace(minute=5))
    assert list(again.failed) == [world.bad]
    first = problems(app)[world.bad]
    assert first.failures == 2 and first.last >= first.first and first.resolved is None

    set_due(app, world.bad, MilestoneKey.M12, date(2027, 1, 5))  # HR fixes the date
    fixed = sweep_at(app, AFTER_30_DAYS.replace(minute=10))
    assert fixed.failed == {} and fixed.counts["checkin_invite"] == 2  # its reminders, now
    assert plans_in_outbox(app) - {None} == {world.good, world.bad}
    resolved = problems(app)[world.bad]
    assert resolved.resolved is not None and resolved.failures == 2

    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))  # and breaks it again
    sweep_at(app, AFTER_30_DAYS.replace(minute=15))
    back = problems(app)[world.bad]
    assert back.resolved is None and back.failures == 1 and back.first > resolved.first


def test_a_dry_run_with_a_broken_plan_counts_the_others_and_writes_nothing(app, world):
    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))
    would = sweep_at(app, AFTER_30_DAYS, dry_run=True)
    assert list(would.failed) == [world.bad] and would.counts["checkin_invite"] == 2
    assert plans_in_outbox(app) == set() and problems(app) == {}
    assert sweep_at(app, AFTER_30_DAYS).counts == would.counts


@contextlib.contextmanager
def database_refuses_rows_of(app, plan_id: int):
    """A trigger that refuses outbox rows for one plan, as a check added by hand would: the
    failure then happens in the database, after the rows were planned."""
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        with db.engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql(
                    f"CREATE TRIGGER refuse_plan BEFORE INSERT ON notifications "
                    f"WHEN NEW.plan_id = {plan_id} BEGIN "
                    f"SELECT RAISE(ABORT, 'refused by a hand-made check'); END")
            else:
                conn.exec_driver_sql(
                    "CREATE FUNCTION refuse_plan() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by a hand-made check'; END $$")
                conn.exec_driver_sql(
                    f"CREATE TRIGGER refuse_plan BEFORE INSERT ON notifications FOR EACH ROW "
                    f"WHEN (NEW.plan_id = {plan_id}) EXECUTE FUNCTION refuse_plan()")
    try:
        yield
    finally:
        with app.app_context():
            with db.engine.begin() as conn:
                if sqlite:
                    conn.exec_driver_sql("DROP TRIGGER IF EXISTS refuse_plan")
                else:
                    conn.exec_driver_sql("DROP TRIGGER IF EXISTS refuse_plan ON notifications")
                    conn.exec_driver_sql("DROP FUNCTION IF EXISTS refuse_plan()")
            db.session.remove()
            db.engine.dispose()


def test_rows_the_database_refuses_for_one_plan_are_rolled_back_and_the_rest_kept(app, world):
    with database_refuses_rows_of(app, world.bad):
        result = sweep_at(app, AFTER_30_DAYS)
    assert list(result.failed) == [world.bad]
    assert plans_in_outbox(app) - {None} == {world.good}
    assert result.counts["checkin_invite"] == 2  # the good plan's hire and manager only
    found = problems(app)[world.bad]
    assert "refused by a hand-made check" in found.error and found.resolved is None
    assert sweep_at(app, AFTER_30_DAYS.replace(minute=5)).counts["checkin_invite"] == 2  # now


def test_the_sweep_command_sends_the_rest_and_exits_3_naming_the_broken_plan(
        app, world, runner):
    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))
    moment = AFTER_30_DAYS.isoformat()
    result = runner.invoke(args=["tracker", "sweep", "--now", moment])
    assert result.exit_code == 3, result.output
    assert "checkin_invite 2" in result.output
    assert f"plan {world.bad}" in result.output and "/admin/outbox" in result.output
    assert plans_in_outbox(app) - {None} == {world.good}
    set_due(app, world.bad, MilestoneKey.M12, date(2027, 1, 5))
    clean = runner.invoke(args=["tracker", "sweep", "--now", moment])
    assert clean.exit_code == 0, clean.output


def test_a_new_plan_with_a_broken_date_still_lets_every_other_welcome_out(app, world):
    with app.app_context():
        new = make_user("new@example.com", password=None)
        fresh = PlanFactory(hire=new, manager=make_user())
        fresh.created_at = AFTER_30_DAYS
        db.session.commit()
        fresh_id = fresh.id
    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))
    result = sweep_at(app, AFTER_30_DAYS.replace(minute=1))
    assert result.counts["welcome"] == 1 and fresh_id in plans_in_outbox(app)


def test_the_outbox_page_shows_which_plan_failed_when_and_why(app, world, client):
    from tests.conftest import login_as

    set_due(app, world.bad, MilestoneKey.M12, date(9999, 12, 31))
    sweep_at(app, AFTER_30_DAYS)
    login_as(client, app, "admin@example.com")
    response = client.get("/admin/outbox")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = page[page.index('id="sweep-problems-heading"'):]
    section = section[:section.index("</section>")]
    assert f'href="/admin/plans/{world.bad}/edit"' in section and "Otto Hire" in section
    assert "too far in the past or the future" in section
    assert f"/admin/plans/{world.good}/edit" not in section
    with app.app_context():
        problem = db.session.scalar(sa.select(SweepProblem)
                                    .where(SweepProblem.plan_id == world.bad))
        when = problem.last_failed_at.strftime("%d %b %Y %H:%M")
    assert when in section

    preview = client.get("/admin/outbox?preview=1")  # today, whatever today is: still 9999
    assert preview.status_code == 200
    assert 'id="sweep-preview"' in preview.get_data(as_text=True)
    assert "1 plan could not be worked out" in preview.get_data(as_text=True)

    set_due(app, world.bad, MilestoneKey.M12, date(2027, 1, 5))
    sweep_at(app, AFTER_30_DAYS.replace(minute=5))
    page = client.get("/admin/outbox").get_data(as_text=True)
    section = page[page.index('id="sweep-problems-heading"'):]
    section = section[:section.index("</section>")]
    assert "resolved" in section.lower() and "Otto Hire" in section


def test_the_team_rules_leave_out_only_the_report_they_cannot_work_out(app, world):
    """No row in the database breaks the digest or the review list today, so the plan is
    broken in memory here (a due date that is not a date), as a bug in a rule would meet it."""
    from tracker.models import EvidenceKind, User
    from tracker.reminders import data, team
    from tracker.reminders.problems import Problems
    from tracker.reminders.window import Window
    from tracker.services.goals import submit_evidence

    monday = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    with app.app_context():
        for plan_id, hire_id in ((world.good, world.hire), (world.bad, world.other_hire)):
            plan, hire = db.session.get(Plan, plan_id), db.session.get(User, hire_id)
            goal = next(g for g in plan.milestones[0].goals
                        if g.owner.value == "hire" and g.evidence_required)
            submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="done")
            goal.evidence[0].created_at = datetime(2026, 1, 5, 10, tzinfo=UTC)
        db.session.commit()
        plans = data.team_plans({db.session.get(Plan, pid).manager_id
                                 for pid in (world.good, world.bad)})
        rows = data.waiting_reviews(monday)
        window, problems = Window.at(monday), Problems()
        slots = list(team.digest_slots(window, data.managers_with_reports(), 0))
        broken = next(p for p in plans if p.id == world.bad)
        broken.milestones[0].due_date = None  # never flushed: the session is rolled back below
        rows = [row if row[3] != world.bad else (*row[:6], "not an instant") for row in rows]
        digests = {d.recipient_id: d for d in team.digests(window, slots, plans, problems)}
        in_reviews = Problems()  # apart, or the digest's failure would skip the plan here
        reviews = list(team.review_waiting(window, rows, 2, in_reviews))
        good_manager = next(p.manager_id for p in plans if p.id == world.good)
        db.session.rollback()

    assert list(problems.failed) == [world.bad]
    assert "weekly digest" in problems.failed[world.bad]
    assert list(in_reviews.failed) == [world.bad]
    assert "reviews waiting" in in_reviews.failed[world.bad]
    assert set(digests) == {good_manager}  # the other manager's only report was left out
    assert [r["plan_id"] for r in digests[good_manager].payload["reports"]] == [world.good]
    assert [(d.recipient_id, [g["plan_id"] for g in d.payload["goals"]]) for d in reviews] == [
        (good_manager, [world.good])]
