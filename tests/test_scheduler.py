"""The scheduler ticks the real jobs; web workers (gunicorn) never start one."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tests.outbox_data import queue
from tests.smtp import SMTPServer, free_port
from tracker import create_app
from tracker.extensions import db
from tracker.jobs.scheduler import build_scheduler, start_in_background
from tracker.models import Notification, NotificationStatus as S

ROOT = Path(__file__).resolve().parent.parent


def test_the_jobs_are_set_up_to_tick_safely(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown()
    assert set(jobs) == {"sweep", "dispatch", "webhooks", "digest"}
    assert str(scheduler.timezone) == "UTC"
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"]
    app.config["DIGEST_WEEKDAY"] = -1
    assert "digest" not in {job.id for job in build_scheduler(app).get_jobs()}


def test_a_running_scheduler_sends_what_is_queued(app, library, smtp_server):
    app.config["DISPATCH_EVERY_SECONDS"] = 1
    with app.app_context():
        hire = make_user()
        ids = queue(make_plan(hire, make_user()), hire, 3)
        keys = {n.dedupe_key for n in db.session.scalars(
            sa.select(Notification).where(Notification.id.in_(ids)))}
        db.session.commit()
    scheduler = start_in_background(app)

    def received():
        return {m["X-Tracker-Notification"] for m in smtp_server.recorder.messages}

    try:
        deadline = time.time() + 20
        while not keys <= received() and time.time() < deadline:
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    # The sweep ticked too and may have queued real reminders for this plan; ours all went out.
    assert keys <= received()


def database_with_two_due_reminders(tmp_path):
    """A SQLite file another process can open: the role library, one plan, two due reminders."""
    url = f"sqlite:///{tmp_path / 'processes.sqlite3'}"
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        db.create_all()
        from tracker.services.role_versions import load_library

        load_library()
        db.session.commit()
        hire = make_user()
        queue(make_plan(hire, make_user()), hire, 2)
        db.session.commit()
        db.engine.dispose()
    return app, url


def test_gunicorn_with_two_workers_starts_no_scheduler(tmp_path):
    app, url = database_with_two_due_reminders(tmp_path)  # a scheduler would send them
    port = free_port()
    with SMTPServer() as server:
        env = os.environ | {"TRACKER_CONFIG": "testing", "DATABASE_URL": url,
                            "DISPATCH_EVERY_SECONDS": "1", "SWEEP_EVERY_MINUTES": "1",
                            **{k: str(v) for k, v in server.settings.items()}}
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b",
                                f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as page:
                        assert page.status == 200
                    break
                except OSError:
                    if time.time() > deadline or web.poll() is not None:
                        pytest.fail("gunicorn did not start")
                    time.sleep(0.2)
            time.sleep(4)  # several dispatch ticks, had anything been ticking
        finally:
            web.terminate()
            log = web.communicate(timeout=20)[0]
        assert server.recorder.messages == [], log
    assert "Booting worker" in log and log.count("Booting worker") == 2
    with app.app_context():
        assert set(db.session.scalars(sa.select(Notification.status))) == {S.PENDING}
        db.engine.dispose()


def test_serve_runs_the_site_with_the_scheduler_writing_eml_files(tmp_path):
    """What `make run` starts: pages answer, and queued reminders land in MAIL_FILE_DIR."""
    app, url = database_with_two_due_reminders(tmp_path)
    port, mail = free_port(), tmp_path / "mail"
    env = os.environ | {"TRACKER_CONFIG": "testing", "DATABASE_URL": url, "MAIL_BACKEND": "file",
                        "MAIL_FILE_DIR": str(mail), "DISPATCH_EVERY_SECONDS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "tracker", "serve",
                               "--port", str(port)], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, status = time.time() + 30, None
        while time.time() < deadline and (status != 200 or len(list(mail.glob("*.eml"))) < 2):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as page:
                    status = page.status
            except OSError:
                if server.poll() is not None:
                    break
            time.sleep(0.2)
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[0]
    assert status == 200, log
    assert len(list(mail.glob("*.eml"))) >= 2, log
    assert f"reminders are written to {mail}" in log
