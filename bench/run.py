#!/usr/bin/env python
"""Benchmarks of the portal; prints figures, asserts nothing.

1. Seconds taken by `import_referentiels` on REFERENCE_DATA_DIR into a fresh SQLite database.
2. Queries per public page (Django test client).
3. Requests per second under gunicorn (2 workers) with wrk on 127.0.0.1, for each public page
   and for an empty Django view in the same run, printed side by side as ratios.

Usage: .venv/bin/python bench/run.py [--duree 10] [--connexions 16] [--garder-base]
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        print(f"  ! {url}: {non_2xx.group(1)} réponses en erreur", file=sys.stderr)
    return float(match.group(1)) if match else 0.0


def queries_per_page(env: dict, paths: list[str]) -> None:
    code = (
        "import django, sys\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection\n"
        "from django.core.cache import cache\n"
        "client = Client()\n"
        "for path in sys.argv[1:]:\n"
        "    cache.clear()\n"
        "    with CaptureQueriesContext(connection) as ctx:\n"
        "        status = client.get(path).status_code\n"
        "    with CaptureQueriesContext(connection) as cached:\n"
        "        client.get(path)\n"
        "    print(f'  {path:<45} {status}  {len(ctx.captured_queries):>3} requêtes (cache vide), "
        "{len(cached.captured_queries)} (en cache)')\n"
    )
    subprocess.run([PYTHON, "-c", code, *paths], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duree", type=int, default=10, help="seconds of wrk per URL (default 10)")
    parser.add_argument("--connexions", type=int, default=16)
    parser.add_argument("--garder-base", action="store_true", help="keep the temporary database")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk est requis : apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="bench-cites-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        DEBUG="0",
        PYTHONPATH=str(ROOT),
    )
    env.setdefault("REFERENCE_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    # wrk is one anonymous client: lift the API's anonymous throttle, or it would measure 429s.
    env.setdefault("API_ANON_RATE", "1000000/second")

    print(f"Base de mesure : {workdir / 'bench.sqlite3'}")
    manage(env, "migrate", "--noinput", "-v0")
    seconds = manage(env, "import_referentiels", "-v0")
    print(f"\n1. import_referentiels ({env['REFERENCE_DATA_DIR']}) : {seconds:.1f} s")
    seconds_again = manage(env, "import_referentiels", "-v0")
    print(f"   second passage (rien à créer) : {seconds_again:.1f} s")

    slug = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from cites.models import CiteEducative as C; "
            "print(C.objects.filter(communes__code='31555').values_list('slug', flat=True).first())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    pages = [
        "/",
        "/cites/",
        "/cites/?region=76",
        f"/cites/{slug}/",
        "/statistiques/",
        "/donnees/cites.geojson",
        "/api/cites/",
    ]
    extra = [p for p in os.environ.get("BENCH_EXTRA_PATHS", "").split(",") if p]
    pages += extra

    print("\n2. Requêtes SQL par page")
    queries_per_page(env, pages)

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "bench.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(workdir / "gunicorn.log"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/vide/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path in pages:  # warm the caches as real traffic would
            urllib.request.urlopen(base + path, timeout=30).read()
        print(f"\n3. Requêtes par seconde (gunicorn 2 workers, wrk -t2 -c{args.connexions} -d{args.duree}s, 127.0.0.1)")
        empty = wrk(base + "/bench/vide/", args.duree, args.connexions)
        print(f"  {'vue Django vide':<45} {empty:>9.0f} req/s   ratio 1.00")
        for path in pages:
            rate = wrk(base + path, args.duree, args.connexions)
            print(f"  {path:<45} {rate:>9.0f} req/s   ratio {rate / empty if empty else 0:.2f}")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        if not args.garder_base:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
