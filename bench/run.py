#!/usr/bin/env python
"""Benchmarks of the portal; prints figures, asserts nothing.

1. Seconds taken by `import_referentiels` on REFERENCE_DATA_DIR into a fresh SQLite database.
2. Queries per public page (Django test client).
3. Requests per second under gunicorn (2 workers) with wrk on 127.0.0.1, for each public page
   and for an empty Django view in the same run, printed side by side as ratios.
4. The same with the cache in Redis (a redis-server of its own, on a free port): pages cached,
   pages not cached (PUBLIC_PAGE_CACHE_SECONDS=0), Redis stopped, Redis hung (a socket that
   accepts and never answers); each time beside the empty view of the same server.
5. Latency of the 503 page when PostgreSQL never answers (a silent socket), with and without
   the pause between connection attempts (DB_RETRY_SECONDS).

Usage: .venv/bin/python bench/run.py [--duree 10] [--connexions 16] [--garder-base] [--sans-redis]
"""

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
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
    parser.add_argument("--sans-redis", action="store_true", help="skip the Redis measures")
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
    slug_page = f"/cites/{slug}/" if slug else ""

    print("\n2. Requêtes SQL par page")
    queries_per_page(env, pages)

    try:
        with gunicorn(env, workdir / "gunicorn.log") as base:
            for path in pages:  # warm the caches as real traffic would
                urllib.request.urlopen(base + path, timeout=30).read()
            print(
                f"\n3. Requêtes par seconde (gunicorn 2 workers, wrk -t2 -c{args.connexions} -d{args.duree}s, "
                "127.0.0.1), cache en mémoire locale"
            )
            rates(base, pages, args)

        if args.sans_redis or not shutil.which("redis-server"):
            print("\n4. Redis : mesure sautée (--sans-redis, ou redis-server absent : apt-get install redis-server)")
        else:
            redis_phases(env, workdir, REDIS_PAGES + ([slug_page] if slug_page else []), args)
        latency_503(env, workdir)
    finally:
        if not args.garder_base:
            shutil.rmtree(workdir, ignore_errors=True)


# --- Redis up, down, hung; PostgreSQL hung ---------------------------------------------------

REDIS_PAGES = ["/", "/cites/", "/statistiques/", "/api/cites/"]


@contextlib.contextmanager
def gunicorn(env: dict, log: Path) -> Iterator[str]:
    """gunicorn (2 workers, the portal's gunicorn.conf.py) on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "bench.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env={**env, "LOG_FORMAT": "text"},
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/bench/vide/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def rates(base: str, pages: list[str], args) -> None:
    empty = wrk(base + "/bench/vide/", args.duree, args.connexions)
    print(f"  {'vue Django vide':<45} {empty:>9.0f} req/s   ratio 1.00")
    for path in pages:
        rate = wrk(base + path, args.duree, args.connexions)
        print(f"  {path:<45} {rate:>9.0f} req/s   ratio {rate / empty if empty else 0:.2f}")


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@contextlib.contextmanager
def silent_socket() -> Iterator[int]:
    """127.0.0.1:<free port>: accepts connections (the kernel does) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1024)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def redis_phases(env: dict, workdir: Path, pages: list[str], args) -> None:
    log = workdir / "gunicorn-redis.log"
    print(f"\n4. Cache Redis (redis-server à part, wrk -d{args.duree}s), chaque fois à côté de la vue vide")
    with redis_server() as (redis, port):
        redis_env = {**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        with gunicorn(redis_env, log) as base:
            for path in pages:
                urllib.request.urlopen(base + path, timeout=30).read()
            print("  a. Redis en marche, pages en cache")
            rates(base, pages, args)
        with gunicorn({**redis_env, "PUBLIC_PAGE_CACHE_SECONDS": "0"}, log) as base:
            print("  b. Redis en marche, pages calculées à chaque requête (PUBLIC_PAGE_CACHE_SECONDS=0)")
            rates(base, pages, args)
        with gunicorn(redis_env, log) as base:
            redis.terminate()
            redis.wait(timeout=10)
            print("  c. Redis arrêté (connexions refusées) : chaque page est un défaut de cache")
            rates(base, pages, args)
    with silent_socket() as port, gunicorn({**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}, log) as base:
        print("  d. Redis muet (accepte et ne répond jamais) : un essai, puis Redis est ignoré REDIS_RETRY_SECONDS")
        rates(base, pages, args)


def latency_503(env: dict, workdir: Path) -> None:
    print("\n5. PostgreSQL muet (accepte et ne répond jamais) : délai de la page 503, 10 requêtes à la suite")
    with silent_socket() as port:
        for retry in ("5", "0"):
            hung = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/cites", "DB_RETRY_SECONDS": retry}
            with gunicorn(hung, workdir / "gunicorn-503.log") as base:
                durations, statuses = [], set()
                for _ in range(10):
                    started = time.perf_counter()
                    try:
                        urllib.request.urlopen(base + "/cites/", timeout=30).read()
                        statuses.add(200)
                    except urllib.error.HTTPError as error:
                        statuses.add(error.code)
                    durations.append(time.perf_counter() - started)
                print(
                    f"  DB_RETRY_SECONDS={retry} : statuts {sorted(statuses)}, plus longue {max(durations):.2f} s, "
                    f"médiane {statistics.median(durations):.3f} s, total {sum(durations):.1f} s"
                )


if __name__ == "__main__":
    main()
