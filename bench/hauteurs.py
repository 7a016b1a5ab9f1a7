#!/usr/bin/env python
"""Height (CSS pixels) and HTML weight of public pages, as a visitor's browser renders them.

Serves the portal with `runserver` on a free port over the database of the worktree (or
DATABASE_URL), opens each page in Debian's Chromium (Playwright) at 1,280 px and at 375 px, and
prints the document height and the size of the HTML. Asserts nothing.

Usage: .venv/bin/python bench/hauteurs.py [/cites/toulouse-grand-mirail/ /statistiques/ …]
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = ["/cites/toulouse-grand-mirail/", "/statistiques/", "/carte/"]
WIDTHS = [1280, 375]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    pages = sys.argv[1:] or PAGES
    port = free_port()
    env = {**os.environ, "MAP_TILES_URL": "", "DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            print(f"{'page':45} {'largeur':>8} {'hauteur (px)':>13} {'HTML (Kio)':>11}")
            for path in pages:
                html = urllib.request.urlopen(base + path, timeout=30).read()
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    page = context.new_page()
                    page.goto(base + path, wait_until="load")
                    page.wait_for_timeout(300)
                    height = page.evaluate("() => document.documentElement.scrollHeight")
                    print(f"{path:45} {width:>8} {height:>13} {len(html) / 1024:>11.1f}")
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
