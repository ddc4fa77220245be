"""Helpers shared by the reference engines of the search benchmark (engines.py, engine_fts5.py): reading the
catalog, memory and disk sizes, and the timed runs."""
import gc
import json
import os
import resource
import sys
import time


def read_catalog(path, timer):
    """Yields (title, brand, category_path, category_id, description, price, rating, in_stock).
    Adds the time spent reading and parsing to timer[0] (seconds)."""
    with open(path, encoding="utf-8") as f:
        while True:
            t0 = time.perf_counter()
            line = f.readline()
            if not line:
                break
            if not line.strip():
                continue
            p = json.loads(line)
            category = p.get("category") or {}
            row = (
                p.get("title", ""),
                p.get("brand") or "",
                " / ".join(category.get("path") or []),
                category.get("id") or "",
                p.get("description", ""),
                int(p["price"]["amount"]),
                float((p.get("rating") or {}).get("average", 0.0)),
                bool(p.get("inStock", False)),
            )
            timer[0] += time.perf_counter() - t0
            yield row


def max_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def current_rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def timed_runs(queries, run_one, repeat):
    """A warm-up pass over all queries, then per query `repeat` timed runs back to back (as
    `emporium search-bench` does). Returns (latencies in µs, totals)."""
    latencies, totals = [], []
    for q in queries:
        run_one(q)
    gc.collect()
    gc.disable()
    try:
        for q in queries:
            total = None
            runs = []
            for _ in range(repeat):
                t0 = time.perf_counter_ns()
                total = run_one(q)
                runs.append((time.perf_counter_ns() - t0) / 1000.0)
            latencies.append(runs)
            totals.append(total)
    finally:
        gc.enable()
    return latencies, totals


def _pkg_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return ""


def log(message):
    print(message, file=sys.stderr, flush=True)
