#!/usr/bin/env python3
"""The soak driver of bench/soak.sh: edits product titles and prices at a steady rate while searching, samples
the node's RSS, then writes a JSON summary, a markdown report and an SVG plot of RSS over time.

    python3 bench/soak.py --url http://127.0.0.1:18300 --pid PID --products 200000 --minutes 10 \
        --edit-rate 50 --searchers 4 --token TOKEN --out bench/out/soak

The start RSS is the sample at 2 minutes, after the warm-up. Products are the synthetic catalog's (`emporium seed --synthetic N`: ids prd_syn00000000 ...). Half the edits
change a title (the search index indexes the product anew and leaves a dead document), half a price (a new
price on the first variant). Searches are one or two catalog words, back to back on keep-alive connections.
"""
import argparse
import http.client
import json
import os
import random
import threading
import time
import urllib.parse

WORDS = ["wireless", "cotton", "steel", "lamp", "kettle", "shirt", "charger", "garden", "chair", "speaker",
         "black", "leather", "organic", "travel", "mug", "desk", "cable", "boots", "blue", "pro"]


class Client:
    def __init__(self, url, token=None):
        parts = urllib.parse.urlparse(url)
        self.host, self.port, self.token = parts.hostname, parts.port, token
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=json.dumps(body) if body is not None else None,
                                        headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--products", type=int, default=200000)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--edit-rate", type=float, default=50)
    ap.add_argument("--searchers", type=int, default=4)
    ap.add_argument("--out", default="bench/out/soak")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    started = time.monotonic()
    deadline = started + args.minutes * 60
    searches, edits, errors, samples = [], [], [], []
    lock = threading.Lock()

    def editor():
        client, rng, n = Client(args.url, args.token), random.Random(1), 0
        while time.monotonic() < deadline:
            due = started + n / args.edit_rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            product = f"prd_syn{rng.randrange(args.products):08d}"
            t0 = time.monotonic()
            if n % 2 == 0:
                status, _ = client.request("PATCH", f"/api/v1/admin/products/{product}",
                                           {"title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(WORDS)}"})
            else:
                status, body = client.request("GET", f"/api/v1/products/{product}")
                sku = json.loads(body)["variants"][0]["sku"] if status == 200 else None
                status, _ = client.request("PATCH", f"/api/v1/admin/products/{product}", {"variants": [
                    {"sku": sku, "price": {"amount": rng.randrange(500, 50000), "currency": "USD"}}]}) \
                    if sku else (status, b"")
            with lock:
                (edits if status == 200 else errors).append((t0 - started, status))
            n += 1

    def searcher(seed):
        client, rng = Client(args.url), random.Random(seed)
        while time.monotonic() < deadline:
            q = urllib.parse.quote(" ".join(rng.sample(WORDS, rng.choice([1, 2]))))
            t0 = time.monotonic()
            status, _ = client.request("GET", f"/api/v1/products/search?q={q}")
            elapsed = time.monotonic() - t0
            with lock:
                (searches if status == 200 else errors).append((t0 - started, elapsed * 1000 if status == 200 else status))

    threads = [threading.Thread(target=editor)] + [threading.Thread(target=searcher, args=(i,))
                                                   for i in range(args.searchers)]
    for thread in threads:
        thread.start()
    loads = []
    while time.monotonic() < deadline:
        samples.append((time.monotonic() - started, rss_mib(args.pid)))
        with open("/proc/loadavg") as f:
            loads.append((time.monotonic() - started, float(f.read().split()[0])))
        time.sleep(5)
    for thread in threads:
        thread.join()
    samples.append((time.monotonic() - started, rss_mib(args.pid)))

    def window(first, last):
        return [ms for at, ms in searches if first <= at < last]
    minute = 60
    total = args.minutes * 60
    head, tail = window(0, minute), window(total - minute, total + 1)
    # The start is taken after two minutes: the first ones warm caches, buffers and the searchers' allocations.
    start_rss = next((rss for at, rss in samples if at >= 120), samples[0][1])
    summary = {
        "minutes": args.minutes, "products": args.products, "editsPerSecondTarget": args.edit_rate,
        "edits": len(edits), "errors": len(errors), "searches": len(searches),
        "rssStartMiB": start_rss, "rssEndMiB": samples[-1][1], "rssMaxMiB": max(r for _, r in samples),
        "rssEndOverStart": samples[-1][1] / start_rss,
        "searchP50FirstMinuteMs": percentile(head, 50), "searchP99FirstMinuteMs": percentile(head, 99),
        "searchP50LastMinuteMs": percentile(tail, 50), "searchP99LastMinuteMs": percentile(tail, 99),
        # Each minute's, to see the minute of a compaction (server.log has its time) against the others.
        "searchP99ByMinuteMs": [percentile(window(m * minute, (m + 1) * minute), 99)
                                for m in range(int(round(args.minutes)))],
        # The machine's 1-minute load average at each minute's end: the cores are shared, and other work there
        # shows in the searches' tail (the soak itself keeps about 2 busy).
        "loadByMinute": [next((load for at, load in loads if at >= (m + 1) * minute), loads[-1][1])
                         for m in range(int(round(args.minutes)))],
        "rssSamples": samples,
    }
    with open(os.path.join(args.out, "soak.json"), "w") as f:
        json.dump(summary, f)
    write_svg(samples, os.path.join(args.out, "soak-rss.svg"), args)
    print(json.dumps({k: v for k, v in summary.items() if k != "rssSamples"}, indent=1))


def write_svg(samples, path, args):
    width, height, pad = 720, 300, 50
    most_t = max(t for t, _ in samples) or 1
    most_r = max(r for _, r in samples) * 1.1 or 1
    def x(t):
        return pad + (width - 2 * pad) * t / most_t
    def y(r):
        return height - pad - (height - 2 * pad) * r / most_r
    points = " ".join(f"{x(t):.1f},{y(r):.1f}" for t, r in samples)
    ticks = "".join(
        f'<text x="{pad - 6}" y="{y(most_r * i / 4):.0f}" text-anchor="end" font-size="11">{most_r * i / 4:.0f}</text>'
        for i in range(5))
    minutes = "".join(
        f'<text x="{x(m * 60):.0f}" y="{height - pad + 16}" text-anchor="middle" font-size="11">{m}</text>'
        for m in range(int(most_t // 60) + 1))
    svg = f'''<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">Node RSS (MiB) over the soak: {args.products:,} products,
{args.edit_rate:g} edits/s, {args.searchers} searchers</text>
<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="black"/>
<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="black"/>
{ticks}{minutes}
<text x="{width / 2}" y="{height - 10}" text-anchor="middle" font-size="11">minutes</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{points}"/>
</svg>
'''
    with open(path, "w") as f:
        f.write(svg)


if __name__ == "__main__":
    main()
