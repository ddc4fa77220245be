#!/usr/bin/env python3
"""Summarises a search benchmark run and records it in bench/RESULTS.md.

    python3 bench/search/report.py --out OUT [--products N] [--command CMD] [--results bench/RESULTS.md]

Reads OUT/{ours,tantivy,fts5}.json (whichever exist) and OUT/queries.json, prints per engine the
build time, memory and latency percentiles, overall and per kind of query, the ratios
emporium / tantivy, and how many queries got the same total; then writes (or replaces) the section
"## Search (issue 4)" of the results file, keeping every other section as it is.

Latency: for each query the median of its timed runs, then p50 / p99 / max across queries
(linear interpolation between ranks). "max run" is the slowest single run of all.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

SECTION = "## Search (issue 4)"
ENGINES = [("ours", "emporium"), ("tantivy", "tantivy"), ("fts5", "SQLite FTS5")]
KINDS = ["broad", "narrow", "filter", "typo", "prefix"]


def percentile(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def median(values):
    return percentile(values, 50)


def machine():
    cores = str(os.cpu_count())
    try:
        cores = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        pass
    memory = "?"
    try:
        for line in subprocess.run(["free", "-h"], capture_output=True, text=True, check=True).stdout.splitlines():
            if line.startswith("Mem:"):
                memory = line.split()[1]
    except Exception:
        pass
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return cores, memory, cpu


def human_bytes(n):
    if n is None:
        return "–"
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def ms(us):
    if us != us:  # nan
        return "–"
    ms_ = us / 1000.0
    return f"{ms_:.3f}" if ms_ < 1 else f"{ms_:.2f}" if ms_ < 100 else f"{ms_:.0f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def load(out, name, n_queries, problems):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        status = os.path.join(out, name + ".status")
        if os.path.exists(status):
            with open(status) as f:
                problems.append(f.read().strip())
        else:
            problems.append(f"{dict(ENGINES)[name]}: not run (no {os.path.basename(path)})")
        return None
    with open(path) as f:
        data = json.load(f)
    lat = data.get("latenciesMicros") or []
    if len(lat) != n_queries or len(data.get("totals") or []) != n_queries:
        problems.append(f"{name}: {len(lat)} latencies and {len(data.get('totals') or [])} totals "
                        f"for {n_queries} queries; left out")
        return None
    data["medians"] = [median(runs) if runs else float("nan") for runs in lat]
    data["all"] = [x for runs in lat for x in runs]
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory with queries.json and the engines' JSON files")
    ap.add_argument("--products", type=int, help="catalog size (else counted from the engines' files)")
    ap.add_argument("--repeat", type=int)
    ap.add_argument("--command", default="bench/search/run.sh")
    ap.add_argument("--results", default="bench/RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print only; leave the results file alone")
    args = ap.parse_args()

    with open(os.path.join(args.out, "queries.json")) as f:
        queries = json.load(f)
    kinds = [q.get("kind", "?") for q in queries]
    problems = []
    engines = {key: load(args.out, key, len(queries), problems) for key, _ in ENGINES}
    present = [(key, label) for key, label in ENGINES if engines[key]]
    if not present:
        sys.exit("no engine results in " + args.out + ("\n" + "\n".join(problems) if problems else ""))

    products = args.products or next((engines[k].get("documents") for k, _ in present if engines[k].get("documents")), None)
    repeat = args.repeat or max(len(r) for r in engines[present[0][0]]["latenciesMicros"])
    cores, memory, cpu = machine()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    kind_counts = ", ".join(f"{k} {kinds.count(k)}" for k in KINDS if k in kinds)

    # Overall table.
    rows = []
    for key, label in present:
        d = engines[key]
        med = d["medians"]
        rows.append([
            label + (f" ({d['version']})" if d.get("version") else ""),
            f"{d['buildSeconds']:.1f}",
            human_bytes(d.get("rssBytes")),
            human_bytes(d.get("indexBytes")),
            ms(percentile(med, 50)), ms(percentile(med, 99)), ms(max(med)), ms(max(d["all"])),
        ])
    overall = table(["engine", "build s", "memory", "index on disk", "p50 ms", "p99 ms", "max ms", "max run ms"], rows)

    # Per kind.
    krows = []
    for kind in KINDS:
        idx = [i for i, k in enumerate(kinds) if k == kind]
        if not idx:
            continue
        row = [kind, len(idx)]
        for key, _ in present:
            med = [engines[key]["medians"][i] for i in idx]
            row.append(f"{ms(percentile(med, 50))} / {ms(percentile(med, 99))} / {ms(max(med))}")
        krows.append(row)
    per_kind = table(["kind", "queries"] + [f"{label} p50 / p99 / max ms" for _, label in present], krows)

    # Ratios.
    ratio_lines = []
    ours, tantivy, fts5 = engines["ours"], engines["tantivy"], engines["fts5"]

    def ratio_text(a, b, what, label_b):
        r = a / b if b else float("inf")
        if r < 1:
            return f"{what}: emporium ÷ {label_b} = {r:.2f} (emporium {1 / r:.1f}x faster)"
        return f"{what}: emporium ÷ {label_b} = {r:.2f} (emporium {r:.1f}x slower)"

    if ours and tantivy:
        for p in (50, 99):
            ratio_lines.append(ratio_text(percentile(ours["medians"], p), percentile(tantivy["medians"], p), f"p{p}", "tantivy"))
        ratio_lines.append(f"build: emporium ÷ tantivy = {ours['buildSeconds'] / tantivy['buildSeconds']:.2f}; "
                           f"memory: emporium ÷ tantivy = {ours['rssBytes'] / tantivy['rssBytes']:.2f}")
        for kind in KINDS:
            idx = [i for i, k in enumerate(kinds) if k == kind]
            if idx:
                a = [ours["medians"][i] for i in idx]
                b = [tantivy["medians"][i] for i in idx]
                ratio_lines.append(f"  {kind}: p50 {percentile(a, 50) / percentile(b, 50):.2f}, "
                                   f"p99 {percentile(a, 99) / percentile(b, 99):.2f}")
    else:
        ratio_lines.append("emporium ÷ tantivy: not available (" + ("no emporium results" if not ours else "no tantivy results") + ")")

    # Result counts.
    def agreement(a, b, label_a, label_b):
        same = [i for i in range(len(queries)) if a["totals"][i] == b["totals"][i]]
        by_kind = ", ".join(
            f"{k} {sum(1 for i in same if kinds[i] == k)}/{kinds.count(k)}" for k in KINDS if k in kinds)
        return f"{len(same)} of {len(queries)} queries have the same total in {label_a} and {label_b} ({by_kind})"

    count_lines = []
    if tantivy and ours:
        count_lines.append(agreement(tantivy, ours, "tantivy", "emporium"))
        diffs = [(abs(ours["totals"][i] - tantivy["totals"][i]), i) for i in range(len(queries))
                 if ours["totals"][i] != tantivy["totals"][i]]
        for _, i in sorted(diffs, key=lambda d: (-d[0], d[1]))[:3]:
            count_lines.append(f"  largest difference: {json.dumps(queries[i])}: tantivy {tantivy['totals'][i]}, "
                               f"emporium {ours['totals'][i]}" + (f", FTS5 {fts5['totals'][i]}" if fts5 else ""))
    if tantivy and fts5:
        count_lines.append(agreement(tantivy, fts5, "tantivy", "FTS5"))
    if fts5 and ours and not tantivy:
        count_lines.append(agreement(fts5, ours, "FTS5", "emporium"))

    notes = []
    for key, label in present:
        if engines[key].get("notes"):
            notes.append(f"{label}: {engines[key]['notes']}")
    if tantivy and tantivy.get("queryBuildMicros"):
        qb = tantivy["queryBuildMicros"]
        notes.append(f"tantivy: building the query objects in Python takes p50 {ms(percentile(qb, 50))} ms, "
                     f"p99 {ms(percentile(qb, 99))} ms of each run (included above); search and brand "
                     "aggregation are two separate passes over the matches in tantivy-py")
    if ours:
        notes.append("emporium: rssBytes as reported by `emporium search-bench` (its peak RSS, VmHWM, reading the JSONL included)")

    n_text = f"{products:,}" if products else "?"
    body = [
        SECTION,
        "",
        f"Command: `{args.command}`",
        "",
        f"Machine: {cores} cores (nproc), {memory} memory (free -h), {cpu}. Date: {date}.",
        "",
        f"Catalog: {n_text} synthetic products (`emporium seed --synthetic {products or 'N'} --seed 1`, exported as JSONL). "
        f"{len(queries)} queries ({kind_counts}) from `bench/search/queries.py`; one warm-up pass, then {repeat} timed runs "
        "of each query, each run = ranked page of 20 + count + brand facet, in-process, one thread.",
        "",
        "Latency: per query the median of its runs first, then p50 / p99 / max across the queries; "
        "\"max run\" is the slowest single run. Build = from reading the JSONL to a searchable index.",
        "",
        overall,
        "",
        "Per kind of query (per-query medians):",
        "",
        per_kind,
        "",
        "Ratios (per-query medians):",
        "",
    ]
    body += [f"- {line.strip()}" if not line.startswith("  ") else f"  - {line.strip()}" for line in ratio_lines]
    body += ["", "Result counts (different stemming, typo and prefix rules make some differences expected):", ""]
    body += [f"- {line.strip()}" if not line.startswith("  ") else f"  - {line.strip()}" for line in count_lines]
    if notes or problems:
        body += ["", "Notes:", ""]
        body += [f"- {n}" for n in notes + problems]
    text = "\n".join(body) + "\n"
    print(text)

    if args.no_write:
        return
    if os.path.exists(args.results):
        with open(args.results, encoding="utf-8") as f:
            current = f.read()
    else:
        current = "# Benchmark results\n"
    lines = current.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.rstrip() == SECTION), None)
    if start is None:
        new = current.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if re.match(r"^## ", lines[i])), len(lines))
        after = "".join(lines[end:])
        new = "".join(lines[:start]) + text + ("\n" + after if after else "")
    os.makedirs(os.path.dirname(args.results) or ".", exist_ok=True)
    tmp = args.results + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, args.results)
    print(f"wrote the section \"{SECTION}\" of {args.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
