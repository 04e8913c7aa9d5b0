"""Page cost against database size, as ratios measured in one run.

Builds a throwaway SQLite database, then times the admin plan list, a plan page and a manager's
home page against a bare endpoint that does no work, first with ~200 hires and again after
adding more. The page/bare ratios should stay flat as the database grows, because every page
queries only what it shows.

    .venv/bin/python bench/pages.py [--small 200] [--large 2000] [--repeat 30]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.models import Plan, User
from tracker.services.demo import add_bulk_hires, seed_demo


def median_ms(client, url: str, repeat: int) -> float:
    client.get(url)  # warm caches and templates
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def sign_in(app, client, email: str) -> None:
    with app.app_context():
        token = db.session.scalar(sa.select(User.session_token).where(User.email == email))
    with client.session_transaction() as session:
        session["_user_id"] = token


def measure(app, repeat: int) -> dict[str, float]:
    with app.app_context():
        plan_id = db.session.scalar(sa.select(Plan.id).order_by(Plan.id).limit(1))
    admin, manager = app.test_client(), app.test_client()
    sign_in(app, admin, "hr.admin@demo.example.com")
    sign_in(app, manager, "maya.chen@demo.example.com")
    bare = median_ms(admin, "/_bare", repeat)
    return {
        "bare endpoint": bare,
        "admin plan list (50 rows)": median_ms(admin, "/admin/plans", repeat),
        "plan page": median_ms(admin, f"/plans/{plan_id}", repeat),
        "manager home": median_ms(manager, "/", repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    app = create_app("development", DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
                     PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    app.add_url_rule("/_bare", "bare", lambda: "ok")
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        add_bulk_hires(args.small, checkpoint=lambda _done: db.session.commit())
        db.session.commit()
    small = measure(app, args.repeat)
    with app.app_context():
        add_bulk_hires(args.large - args.small, checkpoint=lambda _done: db.session.commit())
        db.session.commit()
    large = measure(app, args.repeat)
    print(f"{'page':28} {args.small:>6} hires {args.large:>6} hires   growth")
    for name in small:
        a, b = small[name] / small["bare endpoint"], large[name] / large["bare endpoint"]
        print(f"{name:28} {a:9.1f}x bare {b:8.1f}x bare   {b / a:5.2f}")
    print(f"(bare endpoint: {small['bare endpoint']:.2f} ms and {large['bare endpoint']:.2f} ms)")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
