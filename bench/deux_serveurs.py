#!/usr/bin/env python
"""Public pages through two app servers against one, in the same run; prints figures, asserts nothing.

One gunicorn (2 workers) taking all the load, then two gunicorn instances (2 workers each) sharing
the database and one Redis (a redis-server of its own, on a free port; local memory without it),
the load split between them as a load balancer would (two wrk, half the connections each, at the
same time). Each page beside the empty Django view measured the same way, so the ratio says what
rendering costs next to Django's own overhead.

With 2 cores, one instance with 2 workers already uses both: a second instance cannot add CPU, so
the sum stays flat (or drops a little: more processes share the same cores). On a machine with more
cores — or on a second machine — each instance brings its own CPU, and the sum grows with the number
of instances until the shared engines (PostgreSQL for uncached pages, Redis for cached ones) or the
load balancer become the limit.

Usage: .venv/bin/python bench/deux_serveurs.py [--duree 10] [--connexions 16]
"""

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import gunicorn, manage, redis_server, wrk  # noqa: E402

PAGES = ["/", "/cites/", "/cites/?region=76", "/statistiques/", "/api/cites/"]
VIDE = "/bench/vide/"


def deux_wrk(bases: list[str], path: str, seconds: int, connections: int) -> float:
    """Requests per second summed over the instances, loaded at the same time."""
    resultats = [0.0] * len(bases)

    def charger(i: int, base: str) -> None:
        resultats[i] = wrk(base + path, seconds, max(connections // len(bases), 1))

    fils = [threading.Thread(target=charger, args=(i, base)) for i, base in enumerate(bases)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    return sum(resultats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duree", type=int, default=10, help="seconds of wrk per URL (default 10)")
    parser.add_argument("--connexions", type=int, default=16, help="connections in all (split between instances)")
    parser.add_argument("--tours", type=int, default=3, help="rounds, one and two instances alternating (median)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk est requis : apt-get install -y wrk")

    root = Path(__file__).resolve().parent.parent
    workdir = Path(tempfile.mkdtemp(prefix="bench-deux-serveurs-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=env.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}",
        DEBUG="0",
        PYTHONPATH=str(root),
    )
    env.setdefault("REFERENCE_DATA_DIR", str(root.parent / "shared" / "data"))
    env.setdefault("API_ANON_RATE", "1000000/second")
    charge = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Base de mesure : {env['DATABASE_URL']} ; {os.cpu_count()} cœurs ; load average {charge}")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "import_referentiels", "-v0")

    with contextlib.ExitStack() as stack:
        if shutil.which("redis-server"):
            _, port = stack.enter_context(redis_server())
            env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            cache = "Redis partagé"
        else:
            cache = "mémoire locale de chaque processus (redis-server absent)"
        a = stack.enter_context(gunicorn(env, workdir / "a.log"))
        b = stack.enter_context(gunicorn(env, workdir / "b.log"))
        for base in (a, b):
            for path in PAGES:  # warm the cache as real traffic would
                urllib.request.urlopen(base + path, timeout=60).read()
        print(
            f"\nRequêtes par seconde, wrk -t2 -c{args.connexions} -d{args.duree}s en tout, 127.0.0.1, "
            f"gunicorn 2 workers par instance, cache : {cache}, médiane de {args.tours} tours"
        )
        print(f"  {'page':<24} {'1 instance':>12} {'2 instances':>12} {'2 / 1':>7}   {'÷ vue vide (1 / 2)':>18}")

        def mesurer(path: str) -> tuple[float, float]:
            """Medians over the rounds, one instance then two, alternating (a busy machine's noise)."""
            uns, deux = [], []
            for _ in range(args.tours):
                uns.append(deux_wrk([a], path, args.duree, args.connexions))
                deux.append(deux_wrk([a, b], path, args.duree, args.connexions))
            return statistics.median(uns), statistics.median(deux)

        vide_1, vide_2 = mesurer(VIDE)
        ligne = f"  {'vue Django vide':<24} {vide_1:>12.0f} {vide_2:>12.0f} {vide_2 / vide_1:>7.2f}"
        print(f"{ligne}   {'1.00 / 1.00':>18}", flush=True)
        for path in PAGES:
            un, deux = mesurer(path)
            ratios = f"{un / vide_1:.2f} / {deux / vide_2:.2f}"
            print(f"  {path:<24} {un:>12.0f} {deux:>12.0f} {deux / un if un else 0:>7.2f}   {ratios:>18}", flush=True)
        charge = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nCharge de la machine pendant la mesure (load average 1, 5, 15 min) : {charge}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
