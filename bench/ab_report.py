#!/usr/bin/env python3
"""Summarises an interleaved A/B from bench/ab.sh: per benchmark, each run's throughput, the medians and B / A.

    python3 bench/ab_report.py bench/out/ab

Throughput is emporium-load's `run.perSecond`: confirmed orders/s for checkout, purchase attempts/s for the
flash sale; a flash sale also gets a row for `flashSale.wonPerSecond`, the units sold a second while the sale
had stock (its selling window). Prints a markdown table for bench/RESULTS.md.
"""
import glob
import json
import os
import statistics
import sys


def runs(directory):
    found = {}
    for path in sorted(glob.glob(os.path.join(directory, "*", "*-*", "*.json"))):
        bench = os.path.basename(os.path.dirname(os.path.dirname(path)))
        side = os.path.basename(os.path.dirname(path)).split("-")[0]
        summary = json.load(open(path))
        status = (summary.get("audit") or {}).get("exitStatus")
        found.setdefault(bench, {}).setdefault(side, []).append((summary["run"]["perSecond"], status))
        won = (summary.get("flashSale") or {}).get("wonPerSecond")
        if won is not None:
            found.setdefault(bench + " (won/s)", {}).setdefault(side, []).append((won, status))
    return found


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "bench/out/ab"
    found = runs(directory)
    print("| benchmark | A runs (/s) | B runs (/s) | A median | B median | B ÷ A | audits |")
    print("| --- | --- | --- | ---: | ---: | ---: | --- |")
    for bench in sorted(found):
        a, b = found[bench].get("A", []), found[bench].get("B", [])
        if not a or not b:
            print(f"| {bench} | {len(a)} runs | {len(b)} runs | – | – | – | incomplete |")
            continue
        ma, mb = statistics.median(r[0] for r in a), statistics.median(r[0] for r in b)
        audits = [r[1] for r in a + b]
        verdict = "all passed" if all(s == 0 for s in audits) else f"exit statuses {audits}"
        print(
            f"| {bench} | {', '.join(f'{r[0]:,.0f}' for r in a)} | {', '.join(f'{r[0]:,.0f}' for r in b)} "
            f"| {ma:,.0f} | {mb:,.0f} | {mb / ma:.2f} | {verdict} |"
        )


if __name__ == "__main__":
    main()
