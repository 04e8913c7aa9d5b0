"""The sweep reads plans a batch at a time (issue 10: "the first sweep after downtime is bounded
the same way"), and batches change nothing: the same keys, statuses and instants, and the same
next reminder times, as one batch of every plan; each batch's objects are let go before the
next one is loaded, while what the caller holds stays in its session."""
import gc
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.test_sweep_due_only import START, company, forget, outbox_rows, run_all, ticks
from tracker.extensions import db
from tracker.jobs.sweep import sweep
from tracker.models import Plan, User
from tracker.reminders import data, team
from tracker.reminders import plan as planning
from tracker.reminders.plan import planned
from tracker.reminders.window import Window


def next_times(app) -> dict[int, object]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Plan.id, Plan.next_reminder_at)).all())


def test_small_batches_send_exactly_what_one_batch_sends(app, library, monkeypatch):
    company(app)
    assert planning.BATCH >= 8  # the eight plans fit in one batch
    one_batch, _ = run_all(app, read_all=False, days=60)
    one_batch_times = next_times(app)
    forget(app)
    monkeypatch.setattr(planning, "BATCH", 3)  # 3 + 3 + 2
    batched, reads = run_all(app, read_all=False, days=60)
    assert len(one_batch) > 40
    assert batched == one_batch
    assert next_times(app) == one_batch_times
    forget(app)
    every_plan, _ = run_all(app, read_all=True, days=60)
    assert every_plan == one_batch


def test_a_batch_is_let_go_before_the_next_and_the_callers_objects_stay(
        app, library, monkeypatch):
    plan_ids = company(app)
    monkeypatch.setattr(planning, "BATCH", 3)
    now = START + timedelta(days=3)
    with app.app_context():
        held = db.session.get(Plan, plan_ids[4])
        loaded = []
        real = planning.data.plans_by_id

        def watch(ids):  # the plans alive once each batch is loaded
            found = real(ids)
            gc.collect()
            loaded.append(sorted(obj.id for obj in db.session.identity_map.values()
                                 if isinstance(obj, Plan)))
            return found

        monkeypatch.setattr(planning.data, "plans_by_id", watch)
        work = planned(now, read_all=True, remember=True)
        assert list(work.read) == plan_ids and len(work.next_at) == 8
        # The caller's plan and one batch, never more.
        assert loaded == [sorted({held.id, *batch})
                          for batch in (plan_ids[:3], plan_ids[3:6], plan_ids[6:])]
        gc.collect()
        assert [obj for obj in db.session.identity_map.values() if isinstance(obj, Plan)] == [held]
        assert held in db.session and held.milestones[0].goals  # attached, loads as before


def test_the_sweep_in_batches_keeps_a_time_for_every_plan_it_read(app, library, monkeypatch):
    plan_ids = company(app)
    monkeypatch.setattr(planning, "BATCH", 3)
    now = START + timedelta(days=3)
    with app.app_context():
        sweep(now, read_all=True)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 8
    times = next_times(app)
    assert set(times) == set(plan_ids)
    assert all(when is not None and when > now for when in times.values())
    assert outbox_rows(app)


@pytest.mark.parametrize("database_url", [pytest.param("postgresql",
                                                       marks=pytest.mark.postgres)],
                         indirect=True)  # JIT is PostgreSQL's alone: no SQLite variant
def test_postgresql_connections_run_without_jit(app):
    """JIT compiled the sweep's statements for longer than they ran (bench/README.md)."""
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert db.session.scalar(sa.text("SHOW jit")) == "off"
        db.session.rollback()
        db.engine.dispose()  # a fresh connection gets it too
        assert db.session.scalar(sa.text("SHOW jit")) == "off"


def test_the_managers_owed_a_digest_are_those_the_slots_say(app, library):
    """The digest's managers are picked in SQL, by the key of their zone's latest digest day;
    at every tick they are exactly those whose key the per-manager rule finds missing."""
    company(app)
    owed_somewhere = skipped_somewhere = False
    for now in ticks(21, 11):
        with app.app_context():
            window = Window.at(now)
            weekday = int(app.config["DIGEST_WEEKDAY"])
            existing = data.existing_keys(window.start - timedelta(days=1))
            expected = {manager.id for manager, key, _ in team.digest_slots(
                window, data.managers_with_reports(), weekday) if key not in existing}

            def day_in(zone):
                found = window.latest(zone, lambda day: day.weekday() == weekday)
                return found and found[0]

            owed = {m.id for m in data.managers_owing_digest(
                day_in, window.start - timedelta(days=1))}
            assert owed == expected, now
            owed_somewhere |= bool(owed)
            skipped_somewhere |= len(owed) < len(data.managers_with_reports())
            sweep(now)
            db.session.commit()
    assert owed_somewhere and skipped_somewhere
