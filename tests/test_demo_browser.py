"""The classroom demo in a real browser: `highroad demo` served on a free loopback port,
driven by Debian's headless Chromium through Playwright.

At 1280×720: sets the pace, plays, drags the capital-mobility slider with the mouse (one
change), switches governments to the competitive rule, opens the guide, loads a preset and
exports the charts and the data; checks the charts redraw and nothing errs.
Every wait is bounded; the server's whole process group is killed whatever happens.
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
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install "
                "chromium)", allow_module_level=True)

# Headless Chromium in a container: no GPU, no sandbox (CI runs as root), no calls home.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 40  # s: import Mesa, Solara and the model, then serve
WAIT_MS = 20_000  # ms: the longest any one browser wait may take


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(server: subprocess.Popen) -> None:
    """Kill `highroad demo` and the Solara server it started (one process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "highroad.cli", "demo", "--host", "127.0.0.1",
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"highroad demo exited ({server.returncode}):\n"
                            + (tmp_path / "server.log").read_text())
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"highroad demo did not answer on {url} in {START_TIMEOUT} s:\n"
                            + (tmp_path / "server.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        stop(server)
        log.close()


def quarter(page: sync_api.Page) -> int:
    match = re.search(r"Quarter (\d+)", page.inner_text("body"))
    assert match, "the readout 'Quarter N' is missing"
    return int(match.group(1))


def wait_for_quarter(page: sync_api.Page, at_least: int) -> None:
    try:
        page.wait_for_function(
            "n => { const m = document.body.innerText.match(/Quarter (\\d+)/);"
            " return m && Number(m[1]) >= n; }", arg=at_least, timeout=WAIT_MS)
    except sync_api.TimeoutError:
        pytest.fail(f"quarter {at_least} not reached; the page says:\n"
                    + page.inner_text("body")[:1500])


def pause(page: sync_api.Page) -> None:
    """Press the pause button and wait for the last redraw (the quarter stops moving).

    One click must do: while play redrew faster than the page drew, a click on pause could
    wait over 20 s (`app.RedrawPacer`), and this wait is what caught it."""
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    deadline, last = time.monotonic() + WAIT_MS / 1000, -1
    while (now := quarter(page)) != last and time.monotonic() < deadline:
        last = now
        time.sleep(0.5)


def charts(page: sync_api.Page) -> list[bytes]:
    """What each chart shows, as pixels (its `src` is a new blob URL on every redraw).

    Taken while paused. Mesa's grid may still re-mount the images once after the page
    loads, detaching one under a running screenshot: then take them all again.
    """
    for _ in range(5):
        try:
            images = page.locator("img")
            return [images.nth(i).screenshot(timeout=5000) for i in range(images.count())]
        except sync_api.Error:
            time.sleep(0.5)
    pytest.fail("the chart images kept being replaced")


def assert_no_error(page: sync_api.Page, page_errors: list[str]) -> None:
    text = page.inner_text("body")
    assert "Traceback" not in text and "error in step" not in text, text[:2000]
    assert page.locator(".v-alert.error").count() == 0
    assert page_errors == []


def drag_slider_to_the_end(page: sync_api.Page, label: str) -> None:
    """A real mouse drag: press on the thumb, move right in small steps, release."""
    thumb = page.locator(".v-input", has_text=label).locator(".v-slider__thumb")
    track = page.locator(".v-input", has_text=label).locator(".v-slider")
    start, box = thumb.bounding_box(), track.bounding_box()
    assert start and box
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] + 20, y, steps=12)
    page.mouse.up()


def stop_at(page: sync_api.Page, year: int) -> None:
    box = page.get_by_label("Stop at year")
    box.fill(str(year))
    box.press("Enter")
    page.wait_for_function("y => !document.body.innerText.includes('Paused at year') ||"
                           " document.body.innerText.includes('Paused at year ' + y)",
                           arg=year, timeout=WAIT_MS)


def download(page: sync_api.Page, label: str) -> bytes:
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_bytes()


def test_a_class_at_1280_by_720(demo_url: str, tmp_path: Path) -> None:
    """Pace, a mouse drag, the guide, a preset and the export, on a projector's screen."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720},
                                    accept_downloads=True)
            page.set_default_timeout(WAIT_MS)
            page_errors: list[str] = []
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.goto(demo_url)
            page.get_by_text("Quarter 0 (year 0.0)", exact=False).first.wait_for()
            page.locator("img").nth(3).wait_for()  # the lesson, network, roads, inequality
            at_start = charts(page)
            assert len(at_start) == 4
            lesson = page.locator("img").first.bounding_box()
            assert lesson and lesson["y"] + lesson["height"] <= 720  # in view, whole

            # The pace control: 16 quarters a second; run to year 3, where play stops.
            page.get_by_role("button", name="16", exact=True).click()
            stop_at(page, 3)
            page.get_by_role("button", name="▶").click()
            page.get_by_text("Paused at year 3", exact=False).wait_for()
            time.sleep(1.0)  # the last redraw reaches the page
            assert quarter(page) == 12
            played = charts(page)
            assert all(a != b for a, b in zip(at_start, played, strict=True)), \
                "a chart did not redraw while playing"

            # While it plays, drag capital mobility to the end with the mouse: one change.
            stop_at(page, 200)
            page.get_by_role("button", name="▶").click()
            page.get_by_text("quarters/s", exact=False).wait_for()
            drag_slider_to_the_end(page, "Capital mobility")
            page.get_by_text("capital mobility 1.00", exact=False).wait_for()
            page.get_by_role("button", name="competitive").click()
            page.get_by_text("rule competitive", exact=False).wait_for()
            wait_for_quarter(page, quarter(page) + 8)
            pause(page)
            assert "Changes marked on the charts: 2." in page.inner_text("body")
            after = charts(page)
            assert all(a != b for a, b in zip(played, after, strict=True)), \
                "a chart did not redraw after the levers moved"

            # The guide panel.
            page.get_by_text("About this model", exact=False).click()
            page.get_by_text("What to notice now", exact=False).wait_for()

            # A preset: a fresh run of the placebo.
            page.get_by_role("button", name="Placebo: tax-blind capital").click()
            page.get_by_text("capital sees taxes 0", exact=False).wait_for()
            assert quarter(page) == 0
            page.get_by_text("tax-blind", exact=False).first.wait_for()

            # Export: data and charts.
            assert download(page, "Data CSV").startswith(b"step,")
            assert download(page, "Charts SVG").lstrip().startswith(b"<?xml")
            assert download(page, "Charts PNG").startswith(b"\x89PNG")
            assert_no_error(page, page_errors)
            page.screenshot(path=str(tmp_path / "demo.png"))
        finally:
            browser.close()
    assert (tmp_path / "demo.png").stat().st_size > 10_000
