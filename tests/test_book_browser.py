"""The built book, opened in headless Chromium as a reader would: every page loads, shows its figures,
raises no JavaScript error and fetches nothing from outside the machine.

These tests need the built book (``make book`` runs them right after building it) and Chromium with
ChromeDriver (Debian packages chromium and chromium-driver; ``make book`` installs them when it can).
A screenshot of every page is kept in ``_build/screenshots/`` as a build artefact.
"""

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from inhd import ROOT
from inhd.book import toc_documents

HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.book,
    pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="the book is not built (run `make book`)"),
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Chromium and ChromeDriver are not installed"),
]

#: Pages that are a paper's analysis: each must show at least one figure.
PAPER_PAGES = [doc for doc in toc_documents() if doc.startswith("notebooks/") and doc.split("/")[-1][:2].isdigit()]


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def open_page(browser, server, doc):
    import json

    browser.get_log("browser")
    browser.get_log("performance")
    browser.get(f"{server}/{doc}.html")
    browser.execute_script("return document.readyState")
    requested = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requested if m["method"] == "Network.requestWillBeSent"]
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / (doc.replace("/", "__") + ".png")))
    return urls, errors


@pytest.mark.parametrize("doc", toc_documents())
def test_page_loads_without_javascript_errors_or_outside_requests(browser, server, doc):
    urls, errors = open_page(browser, server, doc)
    assert browser.find_element("css selector", "article.bd-article h1").text.strip(), f"{doc} has no title"
    assert not errors, f"{doc}: JavaScript errors: {errors}"
    outside = [url for url in urls if not url.startswith((server, "data:", "blob:", "about:"))]
    assert not outside, f"{doc} fetched from outside the book: {outside}"
    assert "Traceback" not in browser.page_source, f"{doc} shows a Python traceback"


@pytest.mark.parametrize("doc", PAPER_PAGES)
def test_paper_page_shows_its_figures(browser, server, doc):
    open_page(browser, server, doc)
    images = browser.find_elements("css selector", "article.bd-article img")
    loaded = [img for img in images if browser.execute_script("return arguments[0].naturalWidth", img) > 0]
    assert loaded, f"{doc} shows no figure"
    assert len(loaded) == len(images), f"{doc}: {len(images) - len(loaded)} figure(s) failed to load"
