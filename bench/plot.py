#!/usr/bin/env python3
"""Throughput and latency percentiles per reservation strategy, as bars, from load-test JSON summaries.

    bench/plot.py                                   # every bench/out/cluster/*.json -> bench/flash-sale.png
    bench/plot.py bench/out/cluster/*.json -o bench/flash-sale.png --title "Flash sale, 3 nodes"

Reads either kind of summary: what `emporium-load --json-out` writes, or what bench/cluster.sh writes
(TAG.json: the load summary under "load", plus "strategy", crash, audits). The label of a run is its
strategy (from the cluster summary; for a bare emporium-load summary, from a file name like
flash-sale-batched.json, or the file name itself), plus "node killed" for crash runs and the engine/
node count when the runs differ in it. Left: throughput (the load generator's unit: confirmed orders/s for
checkout, answered purchases/s for flash-sale) with /health/live req/s as a marker when measured; right:
p50 / p90 / p99 latency of the scenario's main operation (order for checkout, purchase for flash-sale).

Needs matplotlib. When it is missing, the script makes a virtualenv in bench/.venv (python3 -m venv),
installs matplotlib from PyPI into it with pip, and runs itself again with that interpreter.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")


def ensure_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV) or os.environ.get("EMPORIUM_PLOT_VENV"):
        sys.exit("plot.py: matplotlib is still missing inside " + VENV)
    if not os.path.exists(python):
        print(f"plot.py: matplotlib not found; making {VENV} and installing it from PyPI", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    if subprocess.call([python, "-c", "import matplotlib"], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([python, "-m", "pip", "install", "--quiet", "matplotlib"])
    env = dict(os.environ, EMPORIUM_PLOT_VENV="1")
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


MAIN_OPERATION = {"flash-sale": "purchase", "checkout": "order", "browse": None}
STRATEGIES = ("batched", "conditional", "row-lock")


def load_run(path):
    """One bar group: label, throughput, unit, health req/s, latency percentiles (ms)."""
    with open(path) as f:
        data = json.load(f)
    if data.get("kind") == "emporium-cluster":
        if "load" not in data:
            return None  # the run failed before the load generator wrote anything
        load, strategy = data["load"], data.get("strategy")
        where = f"{data.get('nodes', 3)} nodes, PostgreSQL"
        name = os.path.basename(path)
        crashed = bool(data.get("crash"))
    elif "run" in data and "scenario" in data:
        load, where, crashed = data, "", False
        name = os.path.basename(path)
        if "sqlite" in name:
            where = "1 node, SQLite"
        strategy = next((s for s in STRATEGIES if re.search(rf"(^|[-_.]){s}([-_.]|$)", name)), None)
        strategy = strategy or re.sub(r"(\.load)?\.json$", "", name)
    else:
        return None
    sale = load.get("flashSale") or {}
    if sale.get("quantity") and load["scenario"] == "flash-sale":
        # The sale's size tells the variants apart (1,000 units limit 1; the allocation-heavy 20,000).
        where = (where + "\n" if where else "") + f"{sale['quantity']:,} units"
    run = load["run"]
    op = MAIN_OPERATION.get(load["scenario"])
    if op not in run["latencyMs"]:
        # The operation with most samples, health aside.
        op = max((k for k in run["latencyMs"] if k != "health"), key=lambda k: run["latencyMs"][k]["count"], default=None)
    lat = run["latencyMs"].get(op) or {}
    return {
        "path": path, "scenario": load["scenario"], "strategy": strategy or "default", "where": where,
        "crashed": crashed, "throughput": run["perSecond"], "unit": load.get("throughputUnit", "ops/s"),
        "health": (load.get("health") or {}).get("perSecond"), "operation": op,
        "p50": lat.get("p50"), "p90": lat.get("p90"), "p99": lat.get("p99"),
        "won": sale.get("wonPerSecond"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="JSON summaries (default: bench/out/cluster/*.json)")
    parser.add_argument("-o", "--output", default=os.path.join(HERE, "flash-sale.png"))
    parser.add_argument("--title", default=None)
    args = parser.parse_args()

    files = args.files or sorted(glob.glob(os.path.join(HERE, "out", "cluster", "*.json")))
    # A cluster summary embeds its emporium-load summary: take the former, skip the latter.
    runs, skipped = [], []
    for path in files:
        if path.endswith(".load.json") and path[: -len(".load.json")] + ".json" in files:
            continue
        try:
            run = load_run(path)
        except (OSError, ValueError, KeyError) as error:
            run, why = None, str(error)
        else:
            why = "not a load summary, or a failed run"
        (runs.append(run) if run else skipped.append(f"{path} ({why})"))
    for s in skipped:
        print(f"plot.py: skipped {s}", file=sys.stderr)
    if not runs:
        sys.exit("plot.py: no usable summaries")

    ensure_matplotlib()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = {s: i for i, s in enumerate(STRATEGIES)}
    runs.sort(key=lambda r: (r["scenario"], r["where"], r["crashed"], order.get(r["strategy"], 99), r["strategy"]))
    vary_where = len({r["where"] for r in runs}) > 1
    vary_scenario = len({r["scenario"] for r in runs}) > 1
    labels = []
    for r in runs:
        parts = [r["strategy"]]
        if vary_scenario:
            parts.insert(0, r["scenario"])
        if vary_where and r["where"]:
            parts.append(r["where"])
        if r["crashed"]:
            parts.append("node killed")
        labels.append("\n".join(parts))

    selling = any(r["won"] for r in runs)
    fig, axes = plt.subplots(1, 3 if selling else 2, figsize=(max(9, 2.2 * len(runs) + 4) * (1.4 if selling else 1), 4.8))
    left, right = axes[0], axes[-1]
    xs = range(len(runs))
    bars = left.bar(xs, [r["throughput"] for r in runs], color="#4C72B0")
    left.bar_label(bars, fmt="%.0f", fontsize=8)
    units = sorted({r["unit"] for r in runs})
    left.set_ylabel(" / ".join(units))
    left.set_title("Throughput (same scale: /health/live in the same run)")
    healths = [(x, r["health"]) for x, r in zip(xs, runs) if r["health"]]
    top = max([r["throughput"] for r in runs] + [h for _, h in healths])
    if healths:
        hx, hy = zip(*healths)
        left.plot(hx, hy, "D", color="#C44E52", label="GET /health/live req/s")
        left.legend(loc="upper right", fontsize=8)
    left.set_xticks(list(xs), labels, fontsize=8)
    left.set_ylim(0, top * 1.15 or 1)

    if selling:
        middle = axes[1]
        won = middle.bar(xs, [r["won"] or 0 for r in runs], color="#8172B3")
        middle.bar_label(won, fmt="%.0f", fontsize=8)
        middle.set_ylabel("won purchases/s, first win to sold out")
        middle.set_title("Selling window")
        middle.set_xticks(list(xs), labels, fontsize=8)

    width = 0.27
    colors = {"p50": "#55A868", "p90": "#DD8452", "p99": "#C44E52"}
    for i, p in enumerate(("p50", "p90", "p99")):
        values = [r[p] or 0 for r in runs]
        b = right.bar([x + (i - 1) * width for x in xs], values, width, label=p, color=colors[p])
        right.bar_label(b, fmt="%.0f", fontsize=7)
    ops = sorted({r["operation"] or "?" for r in runs})
    right.set_ylabel(f"{' / '.join(ops)} latency, ms")
    right.set_title("Latency percentiles")
    right.set_xticks(list(xs), labels, fontsize=8)
    right.legend(fontsize=8)

    scenarios = sorted({r["scenario"] for r in runs})
    fig.suptitle(args.title or f"{', '.join(scenarios)}: throughput and latency by reservation strategy")
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"plot.py: wrote {args.output} from {len(runs)} run(s)")


if __name__ == "__main__":
    main()
