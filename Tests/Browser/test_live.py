"""The live parts: the cart badge follows another device, a flash sale's counter follows its sales."""

import uuid

from selenium.webdriver.support import expected_conditions as EC

from shop import add_to_cart, cart_count, hook, log_in, sign_up, wait


def test_the_cart_badge_follows_another_device(store, browser):
    product = store.create_product("Two Device Kettle")
    phone, laptop = browser(width=390, height=844), browser()
    email = sign_up(phone, store.base)
    log_in(laptop, store.base, email)
    laptop.get(store.base + "/")
    assert cart_count(laptop) == 0
    add_to_cart(phone, store.base, product["slug"], quantity=3)
    wait(laptop, 15).until(lambda _: cart_count(laptop) == 3)


def test_the_flash_sale_counter_follows_purchases(store, browser):
    product = store.create_product("Flash Torch", variants=[{"title": "Black", "stock": 30}])
    sale = store.create_flash_sale(product["variants"][0]["sku"], quantity=10)
    driver = browser()
    driver.get(f"{store.base}/flash/{sale['id']}")
    assert hook(driver, "flash-status").get_attribute("data-status") == "live"
    assert hook(driver, "flash-remaining").text == "10"
    buyer = store.customer()
    status, order = store.api("POST", f"/flash-sales/{sale['id']}/purchase", {"quantity": 2}, token=buyer,
                              headers={"Idempotency-Key": uuid.uuid4().hex})
    assert status == 201, order
    wait(driver, 15).until(lambda _: hook(driver, "flash-remaining").text == "8")
    hook(driver, "flash-buy").click()  # Not signed in: the button leads to sign in and back.
    wait(driver).until(EC.url_contains("/login?next="))
