"""The admin in a browser: the dashboard's chart, a product with an image that shoppers then find, an order
shipped and delivered that its customer follows, and nobody else let in. Hooks and form names only."""

import os
import struct
import tempfile
import uuid
import zlib
from pathlib import Path

import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, make_driver
from shop import APPROVED, add_to_cart, check_out, fill, hook, hooks, pay, sign_up, wait

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ADMIN_PAGES = ["/admin", "/admin/products", "/admin/products/new", "/admin/orders", "/admin/flash-sales",
               "/admin/reviews", "/admin/webhooks"]


def admin_log_in(driver, base):
    driver.get(base + "/login")
    fill(driver, {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    hook(driver, "login-button").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-test="logout-button"]')))


def png_file():
    """A real 8x8 orange PNG, written to a temporary file."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xc2\x41\x0c" * 8 for _ in range(8))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    handle, path = tempfile.mkstemp(suffix=".png")
    os.write(handle, data)
    os.close(handle)
    return path


def paid_order_of_customer(store, browser_driver, product):
    """A customer signs up in `browser_driver`, buys `product` and pays; the order's path."""
    sign_up(browser_driver, store.base)
    add_to_cart(browser_driver, store.base, product["slug"])
    order = check_out(browser_driver, store.base)
    pay(browser_driver, APPROVED)
    wait(browser_driver).until(lambda d: "notice=paid" in d.current_url)
    return order


@pytest.fixture(scope="module")
def sold(store):
    """A product and a paid order of it, so the dashboard has real figures."""
    product = store.create_product("Admin Tour Lantern", variants=[{"title": "Brass", "stock": 30, "price": 4500}])
    customer = make_driver()
    try:
        return {"product": product, "order": paid_order_of_customer(store, customer, product)}
    finally:
        customer.quit()


def test_the_dashboard_draws_the_sales_of_real_orders(store, browser, sold):
    driver = browser()
    admin_log_in(driver, store.base)
    driver.get(store.base + "/admin")
    chart = hook(driver, "sales-chart")
    assert chart.tag_name == "svg"
    bars = chart.find_elements(By.CSS_SELECTOR, "rect[data-revenue]")
    assert len(bars) == 30
    assert int(bars[-1].get_attribute("data-revenue")) >= 4500
    assert int(bars[-1].get_attribute("data-orders")) >= 1
    assert chart.get_attribute("aria-labelledby")
    order_id = sold["order"].rsplit("/", 1)[-1]
    assert any(row.get_attribute("data-order-id") == order_id for row in hooks(driver, "admin-order"))


def test_a_new_product_with_an_image_shows_in_the_shop_and_in_search(store, browser):
    driver = browser()
    admin_log_in(driver, store.base)
    word = "Zephyrine" + uuid.uuid4().hex[:5]
    driver.get(store.base + "/admin/products/new")
    fill(driver, {"title": f"{word} Kettle", "description": "A kettle that whistles in tune.", "brand": "Testwerk",
                  "sku": f"KET-{uuid.uuid4().hex[:6]}", "variantTitle": "Steel", "price": "12.99", "stock": "9"})
    hook(driver, "save-product").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-test="notice"]')))
    driver.find_element(By.NAME, "image").send_keys(png_file())
    hook(driver, "save-product").click()
    wait(driver).until(lambda d: "notice=product-saved" in d.current_url)
    driver.find_element(By.CSS_SELECTOR, '[data-test="shop-link"]').click()
    assert hook(driver, "product-title").text == f"{word} Kettle"
    assert "$12.99" in hook(driver, "product-price").text
    image = driver.find_element(By.CSS_SELECTOR, "main img[src^='/api/v1/images/']")
    assert driver.execute_script("return arguments[0].naturalWidth", image) == 8
    driver.get(store.base + "/search?q=" + word.lower())
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-test="product-card"]')))
    card = hook(driver, "product-card")
    assert card.find_elements(By.CSS_SELECTOR, "img[src^='/api/v1/images/']")


def test_an_order_shipped_and_delivered_in_the_admin_is_followed_by_its_customer(store, browser):
    product = store.create_product("Shipping Test Mug", variants=[{"title": "White", "stock": 10, "price": 1500}])
    customer = browser()
    order = paid_order_of_customer(store, customer, product)
    order_id = order.rsplit("/", 1)[-1]
    admin = browser()
    admin_log_in(admin, store.base)
    admin.get(store.base + "/admin/orders?status=confirmed")
    row = next(r for r in hooks(admin, "admin-order") if r.get_attribute("data-order-id") == order_id)
    row.find_element(By.CSS_SELECTOR, "a").click()
    tracking = "1Z" + uuid.uuid4().hex[:10].upper()
    fill(admin, {"carrier": "UPS", "trackingNumber": tracking})
    hook(admin, "ship-button").click()
    wait(admin).until(lambda d: "notice=shipped" in d.current_url)
    customer.get(store.base + order)
    assert hook(customer, "order-status").get_attribute("data-status") == "shipped"
    assert hook(customer, "tracking-number").text == tracking
    hook(admin, "deliver-button").click()
    wait(admin).until(lambda d: "notice=delivered" in d.current_url)
    customer.get(store.base + order)
    assert hook(customer, "order-status").get_attribute("data-status") == "delivered"
    statuses = [e.get_attribute("data-status") for e in
                hook(customer, "order-timeline").find_elements(By.CSS_SELECTOR, "[data-status]")]
    assert statuses == ["pending_payment", "confirmed", "shipped", "delivered"]


def test_a_customer_is_refused_on_every_admin_page_and_a_guest_is_sent_to_sign_in(store, browser):
    driver = browser()
    for path in ADMIN_PAGES:
        driver.get(store.base + path)
        assert "/login?next=" in driver.current_url, path
    sign_up(driver, store.base)
    for path in ADMIN_PAGES:
        driver.get(store.base + path)
        assert driver.current_url == store.base + path
        assert hook(driver, "error").text, path
        assert not driver.find_elements(By.CSS_SELECTOR, 'nav[aria-label="Admin"], [data-test="sales-chart"]')


def admin_tour(store, driver, sold):
    admin_log_in(driver, store.base)
    product_id = sold["product"]["id"]
    pages = [("admin-dashboard", "/admin"), ("admin-products", "/admin/products"),
             ("admin-product", f"/admin/products/{product_id}"), ("admin-new-product", "/admin/products/new"),
             ("admin-orders", "/admin/orders"), ("admin-order", "/admin/orders/" + sold["order"].rsplit("/", 1)[-1]),
             ("admin-flash-sales", "/admin/flash-sales"), ("admin-reviews", "/admin/reviews"),
             ("admin-webhooks", "/admin/webhooks")]
    for name, path in pages:
        driver.get(store.base + path)
        yield name


def test_no_serious_or_critical_accessibility_violation_on_admin_pages(store, browser, sold):
    driver = browser()
    failures = {}
    for name in admin_tour(store, driver, sold):
        axe = Axe(driver)
        axe.inject()
        bad = [v for v in axe.run()["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            failures[name] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
    assert not failures, failures


def test_no_admin_page_scrolls_sideways_on_a_phone(store, browser, sold):
    driver = browser(width=390, height=844)
    wide = {}
    for name in admin_tour(store, driver, sold):
        width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide[name] = width
    assert not wide


@pytest.mark.skipif(os.environ.get("SCREENSHOTS") != "1", reason="SCREENSHOTS=1 writes docs/screenshots")
@pytest.mark.parametrize("width,height", [(390, 844), (1366, 900)])
def test_write_admin_screenshots(store, browser, sold, width, height):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver = browser(width=width, height=height)
    for name in admin_tour(store, driver, sold):
        if name in {"admin-dashboard", "admin-products", "admin-order", "admin-product"}:
            full = driver.execute_script("return document.documentElement.scrollHeight")
            metrics = {"width": width, "deviceScaleFactor": 1, "mobile": width < 800}
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(full, 2400)})
            driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": height})
