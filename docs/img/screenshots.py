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

HERE = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PACKAGE = ("associative governance", "quasi public goods", "asset redistribution")


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


def play_until(page: Page, target: int) -> None:
    """Play, then pause at the first redraw at or after quarter `target`."""
    page.get_by_role("button", name="▶").click()
    page.wait_for_function(
        "n => Number((document.body.innerText.match(/Quarter (\\d+)/) || [0, 0])[1]) >= n",
        arg=target, timeout=120_000)
    page.get_by_role("button", name="❚❚").click()
    time.sleep(1.0)  # the last redraw reaches the page


def switch(page: Page, label: str) -> None:
    page.locator(".v-input--checkbox", has_text=label).locator("label").click()


def reset(page: Page) -> None:
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => /Quarter 0 /.test(document.body.innerText)", timeout=30_000)
    time.sleep(1.5)  # the live levers' rebuild and its redraw


def shot(page: Page, name: str) -> None:
    # The sidebar scrolled down to the switches; show its top: levers and readout.
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
            page = browser.new_page(viewport={"width": 1600, "height": 1290})
            page.set_default_timeout(30_000)
            page.goto(url)
            page.locator("img").nth(4).wait_for()
            time.sleep(1.0)
            shot(page, "demo_start.png")

            # Experiment 1: five calm years, then free capital and let governments compete.
            play_until(page, 20)
            page.locator(".v-input", has_text="Capital mobility").get_by_role("slider").focus()
            page.keyboard.press("End")
            page.get_by_role("button", name="competitive").click()
            play_until(page, 120)
            shot(page, "demo_race.png")

            # Experiment 2: the same world from quarter 0, with a supra-regional floor.
            switch(page, "supra regional")
            reset(page)
            play_until(page, 120)
            shot(page, "demo_floor.png")

            # Experiment 3: no floor; the new-egalitarian package instead.
            switch(page, "supra regional")
            for label in PACKAGE:
                switch(page, label)
            reset(page)
            play_until(page, 120)
            page.locator(".v-select", has_text="Colour regions by").locator(
                ".v-select__selections").click()
            page.get_by_role("option", name="good-jobs share of workers").click()
            time.sleep(1.0)
            shot(page, "demo_new_egalitarian.png")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
