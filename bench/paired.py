"""Dry sweeps alternating between a small and a large database: the growth, paired.

Why: on a shared machine ``bench/sweep.py`` times the 1k database minutes before the 100k one,
and the load in between moves the ratio (0.9x to 3.5x over four runs of the same code). Here
the two are swept in turn in one process, so each pair meets the same load, and the medians
(the first pair left out: caches) give the growth. Run it after ``bench/sweep.py`` has primed
both databases (their plans' next reminder times set).

    PYTHONPATH=. .venv/bin/python bench/paired.py SMALL_URL LARGE_URL [--pairs 8]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import NOW, make_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small")
    parser.add_argument("large")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--now", default=NOW)
    args = parser.parse_args()
    from tracker.extensions import db
    from tracker.jobs.sweep import sweep
    apps = [make_app(args.small), make_app(args.large)]
    now = datetime.fromisoformat(args.now)
    times: list[list[float]] = [[], []]
    for _ in range(args.pairs):
        for app, samples in zip(apps, times):
            with app.app_context():
                started = time.perf_counter()
                sweep(now, dry_run=True)
                samples.append(time.perf_counter() - started)
                db.session.rollback()
    small, large = (statistics.median(samples[1:]) for samples in times)
    print(f"dry sweep, median of {args.pairs - 1} pairs: small {small:.3f} s, "
          f"large {large:.3f} s, growth {large / small:.2f}x")
    for name, samples in zip(("small", "large"), times):
        print(f"  {name}: " + " ".join(f"{s:.2f}" for s in samples))


if __name__ == "__main__":
    main()
