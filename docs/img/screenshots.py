"""Remake the screenshots of docs/teaching.md: `python docs/img/screenshots.py`.

Starts `highroad demo` on a free loopback port, drives Debian's headless Chromium through
Playwright exactly as a teacher would (the three experiments of the lesson, seed 0), and
writes demo_*.png beside this file. Needs `chromium` on PATH and the test extra.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from highroad.lesson import PRESETS

HERE = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "highroad.cli", "demo", "--port",
                               str(port)], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return server, url
        except OSError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit(f"highroad demo did not answer on {url}")


def quarter(page: Page) -> int:
    return int(re.search(r"Quarter (\d+)", page.inner_text("body")).group(1))


def run_preset(page: Page, label: str) -> None:
    """Load a lesson preset, play at the fastest pace and wait for the stop at year 40."""
    page.get_by_role("button", name=label).click()
    page.wait_for_function("() => /Quarter 0 /.test(document.body.innerText)")
    page.get_by_role("button", name="40", exact=True).click()
    page.get_by_role("button", name="▶").click()
    page.get_by_text("Paused at year", exact=False).wait_for(timeout=180_000)
    time.sleep(1.0)  # the last redraw reaches the page


def shot(page: Page, name: str) -> None:
    page.evaluate("document.querySelectorAll('.v-navigation-drawer__content')"
                  ".forEach(e => e.scrollTop = 0)")
    time.sleep(0.3)
    page.screenshot(path=str(HERE / name))
    print(f"wrote docs/img/{name} at quarter {quarter(page)}")


def main() -> None:
    server, url = serve()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            # A classroom projector: 1280×720, the lesson's three charts in view together.
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(30_000)
            page.goto(url)
            page.locator("img").nth(3).wait_for()
            time.sleep(1.0)
            shot(page, "demo_start.png")
            # Experiment 1: the closed economy, then the race (the closed run as ghost).
            run_preset(page, PRESETS["closed"]["label"])
            run_preset(page, PRESETS["race"]["label"])
            shot(page, "demo_race.png")
            # Experiment 2: the placebo, the race as ghost.
            run_preset(page, PRESETS["placebo"]["label"])
            shot(page, "demo_placebo.png")
            # Experiment 3: the race again, then the package (the race as ghost).
            run_preset(page, PRESETS["race"]["label"])
            run_preset(page, PRESETS["package"]["label"])
            page.locator(".v-select", has_text="Colour regions by").locator(
                ".v-select__selections").click()
            page.get_by_role("option", name="good-jobs share of workers").click()
            time.sleep(1.0)
            shot(page, "demo_package.png")
            # The guide open.
            page.get_by_text("About this model", exact=False).click()
            time.sleep(1.0)
            shot(page, "demo_about.png")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
