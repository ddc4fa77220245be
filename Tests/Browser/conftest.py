"""Starts one Emporium node with the demo catalog on a fresh data directory, and gives tests headless Chromium."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("EMPORIUM_BINARY", ROOT / ".build" / "debug" / "emporium"))
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin-password"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Store:
    """The node under test and its JSON API, for setting up what the pages are then checked against."""

    def __init__(self, base, data_dir):
        self.base = base
        self.data_dir = data_dir
        self._admin_token = None

    def api(self, method, path, body=None, token=None, headers=None):
        request = urllib.request.Request(self.base + "/api/v1" + path, method=method)
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        data = json.dumps(body).encode() if body is not None else None
        try:
            with urllib.request.urlopen(request, data, timeout=10) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def admin_token(self):
        if self._admin_token is None:
            status, body = self.api("POST", "/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            assert status == 200, body
            self._admin_token = body["accessToken"]
        return self._admin_token

    def create_product(self, title, description="A product made for the tests.", variants=None):
        suffix = uuid.uuid4().hex[:6].upper()
        variants = variants or [{"title": "Standard", "stock": 20}]
        body = {
            "title": title, "description": description, "brand": "Testwerk", "attributes": {"finish": "matte"},
            "variants": [
                {"sku": f"T-{suffix}-{i}", "title": v["title"], "attributes": {},
                 "price": {"amount": v.get("price", 2499), "currency": "USD"}, "stock": v["stock"]}
                for i, v in enumerate(variants)
            ],
        }
        status, product = self.api("POST", "/admin/products", body, token=self.admin_token())
        assert status == 201, product
        return product

    def create_flash_sale(self, sku, quantity=10, limit=5):
        now = time.time()
        stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        body = {"sku": sku, "salePrice": {"amount": 999, "currency": "USD"}, "quantity": quantity,
                "perCustomerLimit": limit, "startsAt": stamp(now - 5), "endsAt": stamp(now + 3600)}
        status, sale = self.api("POST", "/admin/flash-sales", body, token=self.admin_token())
        assert status == 201, sale
        return sale

    def demo_product(self, query):
        """The best-rated demo product matching `query` that has a variant in stock (with its images and reviews)."""
        status, found = self.api("GET", "/products/search?inStock=true&sort=rating&q=" + urllib.parse.quote(query))
        assert status == 200 and found["items"], found
        status, product = self.api("GET", "/products/" + found["items"][0]["id"])
        assert status == 200, product
        return product

    def customer(self):
        email = f"api-{uuid.uuid4().hex[:8]}@example.com"
        status, body = self.api("POST", "/auth/signup", {"email": email, "password": "correct horse", "name": "API"})
        assert status == 201, body
        return body["accessToken"]


@pytest.fixture(scope="session")
def store():
    assert BINARY.exists(), f"build first: {BINARY} is missing"
    data_dir = tempfile.mkdtemp(prefix="emporium-browser-")
    env = dict(os.environ, EMPORIUM_BCRYPT_COST="4", EMPORIUM_LOG_LEVEL="warning", EMPORIUM_ACCESS_LOG="off")
    subprocess.run(
        [BINARY, "admin", "create", "--data-dir", data_dir, "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD],
        check=True, env=env, capture_output=True, timeout=120)
    port = free_port()
    log = open(Path(data_dir) / "node.log", "w")
    node = subprocess.Popen(
        [BINARY, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/health/ready", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert node.poll() is None, (Path(data_dir) / "node.log").read_text()
            assert time.time() < deadline, "the node did not get ready"
            time.sleep(0.3)
        yield Store(base, data_dir)
    finally:
        node.terminate()
        try:
            node.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.kill()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def make_driver(width=1366, height=900, javascript=True):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # Headless windows are at least 500 px wide: a phone's width is emulated.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800})
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser():
    """A factory of browsers (several devices in one test); all are closed after the test."""
    drivers = []

    def open_browser(**options):
        driver = make_driver(**options)
        drivers.append(driver)
        return driver

    yield open_browser
    for driver in drivers:
        driver.quit()
