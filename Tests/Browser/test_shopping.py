"""The shopper's flows, with JavaScript on and off."""

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from shop import APPROVED, DECLINED, add_to_cart, cart_count, check_out, fill, hook, hooks, pay, sign_up, wait


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_search_with_facets_leads_to_a_product(store, browser, javascript):
    driver = browser(javascript=javascript)
    driver.get(store.base)
    search = hook(driver, "search-form")
    search.find_element(By.NAME, "q").send_keys("sleeping bag")
    search.find_element(By.CSS_SELECTOR, "button").click()
    wait(driver).until(EC.url_contains("/search?q=sleeping"))
    total = int(re.search(r"\d+", hook(driver, "result-count").text).group())
    brands = hook(driver, "facet-brand").find_elements(By.NAME, "brand")
    assert total > 1 and len(brands) >= 2
    brands[0].click()
    if not javascript:
        hook(driver, "facet-brand").find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, "button").click()
    wait(driver).until(EC.url_contains("brand="))
    narrowed = int(re.search(r"\d+", hook(driver, "result-count").text).group())
    assert 0 < narrowed < total
    assert "q=sleeping" in driver.current_url
    card = hooks(driver, "product-card")[0]
    product_id = card.get_attribute("data-product-id")
    card.find_element(By.CSS_SELECTOR, "a").click()
    wait(driver).until(EC.url_contains("/p/"))
    assert hook(driver, "product-title").text
    assert hook(driver, "product-price").text.startswith("$")
    assert product_id


def test_a_sold_out_variant_is_shown_but_cannot_be_picked(store, browser):
    product = store.create_product("Sold Out Sandal", variants=[{"title": "Size 40", "stock": 3},
                                                                {"title": "Size 41", "stock": 0}])
    driver = browser()
    driver.get(f"{store.base}/p/{product['slug']}")
    options = {o.get_attribute("data-sku"): o for o in hooks(driver, "variant-option")}
    sold_out = product["variants"][1]["sku"]
    assert len(options) == 2
    assert options[sold_out].get_attribute("disabled") is not None
    assert options[product["variants"][0]["sku"]].is_enabled()
    assert "Only 3 left" in hook(driver, "availability").text


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_guest_cart_is_kept_after_signing_up(store, browser, javascript):
    product = store.create_product("Merge Mug")
    driver = browser(javascript=javascript)
    add_to_cart(driver, store.base, product["slug"], quantity=2)
    assert cart_count(driver) == 2
    sign_up(driver, store.base, next_path="/cart")
    assert driver.current_url.startswith(store.base + "/cart")
    lines = hooks(driver, "cart-line")
    assert [line.get_attribute("data-sku") for line in lines] == [product["variants"][0]["sku"]]
    assert cart_count(driver) == 2


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_checkout_a_declined_card_then_an_approved_one(store, browser, javascript):
    product = store.create_product("Checkout Lamp", variants=[{"title": "Brass", "stock": 5, "price": 6400}])
    driver = browser(javascript=javascript)
    sign_up(driver, store.base)
    add_to_cart(driver, store.base, product["slug"])
    order_path = check_out(driver, store.base)
    pay(driver, DECLINED)
    assert "declined" in hook(driver, "error").text
    assert driver.current_url.endswith("/pay")
    pay(driver, APPROVED)
    wait(driver).until(EC.url_contains("notice=paid"))
    status = hook(driver, "order-status")
    assert status.get_attribute("data-status") == "confirmed"
    timeline = [e.get_attribute("data-status") for e in hook(driver, "order-timeline").find_elements(By.CSS_SELECTOR, "li")]
    assert timeline == ["pending_payment", "confirmed"]
    driver.get(store.base + "/orders")
    assert driver.find_elements(By.CSS_SELECTOR, f'a[href="{order_path}"]')


def test_a_double_submitted_checkout_makes_one_order(store, browser):
    product = store.create_product("Double Click Clock")
    driver = browser()
    sign_up(driver, store.base)
    add_to_cart(driver, store.base, product["slug"])
    driver.get(store.base + "/checkout")
    fill(driver, {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345",
                  "country": "US"})
    ActionChains(driver).double_click(hook(driver, "place-order")).perform()
    wait(driver).until(EC.url_matches(r"/orders/[^/]+/pay$"))
    driver.get(store.base + "/orders")
    orders = driver.find_elements(By.CSS_SELECTOR, 'main a[href^="/orders/"]')
    assert len(orders) == 1
