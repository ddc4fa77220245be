"""What a shopper does on the pages, by data-test hooks and form field names only."""

import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

APPROVED, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"


def hook(driver, name):
    return driver.find_element(By.CSS_SELECTOR, f'[data-test="{name}"]')


def hooks(driver, name):
    return driver.find_elements(By.CSS_SELECTOR, f'[data-test="{name}"]')


def wait(driver, timeout=10):
    return WebDriverWait(driver, timeout)


def fill(driver, fields):
    for name, value in fields.items():
        element = driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def sign_up(driver, base, next_path=""):
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.com"
    driver.get(base + "/signup" + (f"?next={next_path}" if next_path else ""))
    fill(driver, {"name": "Browser Shopper", "email": email, "password": "correct horse"})
    hook(driver, "signup-button").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-test="logout-button"]')))
    return email


def log_in(driver, base, email):
    driver.get(base + "/login")
    fill(driver, {"email": email, "password": "correct horse"})
    hook(driver, "login-button").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-test="logout-button"]')))


def add_to_cart(driver, base, slug, quantity=1):
    driver.get(base + "/p/" + slug)
    fill(driver, {"quantity": str(quantity)})
    hook(driver, "add-to-cart").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-test="notice"]')))


def cart_count(driver):
    return int(hook(driver, "cart-count").text.strip() or "0")


def check_out(driver, base):
    """From a filled cart to the pay page; the order's path."""
    driver.get(base + "/cart")
    hook(driver, "checkout-button").click()
    fill(driver, {"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
                  "postalCode": "SW1Y 4JH", "country": "GB"})
    hook(driver, "place-order").click()
    wait(driver).until(EC.url_matches(r"/orders/[^/]+/pay$"))
    return driver.current_url.removeprefix(base).removesuffix("/pay")


def pay(driver, number):
    fill(driver, {"cardNumber": number, "expMonth": "12", "expYear": "2031", "cvc": "123"})
    hook(driver, "pay-button").click()
