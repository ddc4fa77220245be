// Emporium storefront enhancements. Every page works without this file; it only makes parts live:
// the cart badge and cart page follow the cart, a flash sale's counter follows `remaining`,
// the search box suggests, and filters submit when changed.
document.documentElement.classList.add("js");

function liveCart() {
  const badges = document.querySelectorAll("[data-live-cart]");
  const page = document.querySelector("[data-live-cart-page]");
  if (!badges.length || !window.EventSource) return;
  const events = new EventSource("/cart/events");
  events.addEventListener("cart", (message) => {
    const cart = JSON.parse(message.data);
    for (const badge of badges) badge.textContent = String(cart.count);
    // The cart page reloads itself when another device changed the cart, unless the shopper is typing in it.
    if (page && cart.version > Number(page.dataset.version) && !page.contains(document.activeElement)) {
      window.location.reload();
    }
  });
  window.addEventListener("pagehide", () => events.close());
}

function liveFlashSale() {
  const sale = document.querySelector("[data-flash-sale]");
  if (!sale) return;
  const remaining = sale.querySelector("[data-test=flash-remaining]");
  const status = sale.querySelector("[data-test=flash-status]");
  const progress = sale.querySelector("[data-flash-progress]");
  const buy = sale.querySelector("button[data-test=flash-buy]");
  const clock = sale.querySelector("[data-flash-clock]");
  const labels = { scheduled: "Coming soon", live: "Live now", sold_out: "Sold out", ended: "Ended" };
  if (window.EventSource) {
    const events = new EventSource(sale.dataset.events);
    events.addEventListener("flash_sale", (message) => {
      const now = JSON.parse(message.data);
      remaining.textContent = String(now.remaining);
      if (progress) progress.value = now.remaining;
      status.dataset.status = now.status;
      status.textContent = labels[now.status] || now.status;
      status.className = "sale-status status-" + now.status;
      if (buy) buy.disabled = now.status !== "live";
    });
    window.addEventListener("pagehide", () => events.close());
  }
  const tick = () => {
    const state = status.dataset.status;
    const target = Date.parse(state === "scheduled" ? sale.dataset.startsAt : sale.dataset.endsAt);
    const seconds = Math.max(0, Math.round((target - Date.now()) / 1000));
    if (state === "ended") { clock.textContent = "Ended"; return; }
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const text = (h ? h + " h " : "") + (h || m ? m + " min " : "") + s + " s";
    clock.textContent = (state === "scheduled" ? "Starts in " : "Ends in ") + text;
  };
  tick();
  setInterval(tick, 1000);
}

function suggestions() {
  const input = document.querySelector("[data-suggest]");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let timer = 0;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2 || text === asked) return;
      asked = text;
      try {
        const response = await fetch("/api/v1/products/suggest?q=" + encodeURIComponent(text));
        if (!response.ok) return;
        const body = await response.json();
        list.replaceChildren(...body.items.map((item) => {
          const option = document.createElement("option");
          option.value = item.text;
          return option;
        }));
      } catch {
        // Suggestions are a nicety: without them the search still works.
      }
    }, 150);
  });
}

function submitOnChange() {
  for (const form of document.querySelectorAll("form[data-auto-submit]")) {
    form.addEventListener("change", () => form.requestSubmit());
  }
  // On a phone the filters start folded, so the results come first.
  const filters = document.querySelector(".facets details");
  if (filters && window.matchMedia("(max-width: 799px)").matches) filters.open = false;
}

liveCart();
liveFlashSale();
suggestions();
submitOnChange();
