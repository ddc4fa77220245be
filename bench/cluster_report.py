#!/usr/bin/env python3
"""The verdict and report of one bench/cluster.sh run.

    bench/cluster_report.py OUT/TAG.load.json OUT/TAG.json --scenario flash-sale --crash '{...}' ...

Reads emporium-load's summary (TAG.load.json; may be missing) and what cluster.sh measured (the options
below), writes TAG.json (the settings, the crash, the audits, the failures, and the load summary under
"load"; bench/plot.py reads it) and prints the short report. Oversold units: for flash-sale, emporium-load's
won-vs-quantity numbers; for checkout, the last `emporium audit` (after expiry with a crash, else the one
emporium-load ran after the run) decides: passed means 0.
Exit status: 0 passed; 4 with --ci when the only failure is a kill that came after the run; 1 otherwise.
"""
import argparse
import json
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("load_path", help="emporium-load's --json-out summary")
    p.add_argument("out_path", help="the run's summary to write")
    for name in ("scenario", "strategy", "started-at", "machine", "load-before", "nginx-version", "stock",
                 "dead-nodes"):
        p.add_argument("--" + name, default="")
    for name in ("connections", "requests", "users", "reservation", "sweep-ms", "quantity", "limit", "products",
                 "load-exit", "upstream-errors", "load-seconds", "total-seconds"):
        p.add_argument("--" + name, type=int, default=0)
    p.add_argument("--duration", type=float, required=True, help="DURATION, seconds")
    p.add_argument("--crash", default="null", help="JSON: the kill, or null")
    p.add_argument("--expiry", default="null", help="JSON: the wait for expiry and the audit after it, or null")
    p.add_argument("--audit-output", help="file with the output of the audit after expiry")
    p.add_argument("--orders-by-status", default="null", help="JSON object, or null")
    p.add_argument("--ci", action="store_true", help="a kill after the run fails the run (exit 4)")
    p.add_argument("--strict", action="store_true", help="fail on unanswered requests and on 5xx other than 503")
    return p.parse_args()


def main():
    a = parse_args()
    load = json.load(open(a.load_path)) if os.path.exists(a.load_path) else None
    crash, expiry = json.loads(a.crash), json.loads(a.expiry)
    scenario, out_path = a.scenario, a.out_path
    failures = []
    if load is None:
        failures.append(f"emporium-load wrote no summary (exit {a.load_exit}); see {out_path[:-5]}.txt/.err")
    elif a.load_exit != 0:
        failures.append({1: "emporium-load failed (setup, audit after the run, or oversold)",
                         3: "no operation succeeded", 124: "emporium-load hit its time cap"}
                        .get(a.load_exit, f"emporium-load exit {a.load_exit}"))

    summary = {
        "kind": "emporium-cluster", "scenario": scenario, "strategy": a.strategy or "default",
        "nodes": 3, "proxy": "nginx " + a.nginx_version, "database": "postgresql",
        "connections": a.connections, "requests": a.requests or None,
        "durationLimitSeconds": a.duration, "users": a.users,
        "reservationSeconds": a.reservation, "sweepIntervalMs": a.sweep_ms,
        "startedAt": a.started_at, "machine": a.machine, "loadAverageBefore": a.load_before,
        "ci": a.ci, "crash": crash, "afterExpiry": expiry, "loadExitStatus": a.load_exit,
        "nginxUpstreamErrorLines": a.upstream_errors,
        "ordersByStatusAtEnd": json.loads(a.orders_by_status or "null"),
        "seconds": {"toEndOfLoad": a.load_seconds, "total": a.total_seconds},
    }
    if scenario == "flash-sale":
        summary["quantity"], summary["perCustomerLimit"] = a.quantity, a.limit
    else:
        summary["products"], summary["stock"] = a.products, (int(a.stock) if a.stock else None)

    main_op = {"flash-sale": "purchase", "checkout": "order"}[scenario]
    oversold = None
    audit = None
    errors = {}
    if load:
        run = load["run"]
        answered = {}
        for counts in run["statuses"].values():
            for status, n in counts.items():
                answered[status] = answered.get(status, 0) + n
        for kinds in run["transportErrors"].values():
            for kind, n in kinds.items():
                errors[kind] = errors.get(kind, 0) + n
        lat = run["latencyMs"].get(main_op) or {}
        summary.update({
            "answeredByStatus": dict(sorted(answered.items())), "unanswered": errors,
            "operations": run["operations"], "succeeded": run["succeeded"], "runSeconds": run["seconds"],
            "throughput": run["perSecond"], "throughputUnit": load["throughputUnit"],
            "operationsPerSecond": run["operations"] / run["seconds"] if run["seconds"] else 0,
            "latencyMs": {k: lat.get(k) for k in ("p50", "p90", "p99", "max")}, "latencyOperation": main_op,
            "healthPerSecond": (load.get("health") or {}).get("perSecond"), "ratioToHealth": load.get("ratioToHealth"),
            "outcomes": run["outcomes"],
        })
        audit = load.get("audit")
        summary["auditAfterRun"] = None if not audit else ("passed" if audit["exitStatus"] == 0 else "FAILED")
        if audit and audit["exitStatus"] != 0:
            failures.append("audit right after the run found breaches")
        if scenario == "flash-sale" and crash and run["seconds"] + 5 > a.reservation:
            print(f"cluster.sh: warning: the run ({run['seconds']:.0f} s) was about as long as the reservation TTL "
                  f"({a.reservation} s): unpaid wins may have expired and been sold again during it, which "
                  "emporium-load's won-vs-quantity check would call oversold; raise RESERVATION", file=sys.stderr)
        if scenario == "flash-sale" and load.get("flashSale"):
            sale = load["flashSale"]
            oversold = max(0, sale["wonThisRun"] - sale["remainingBefore"], -sale["remaining"])
            summary["flashSale"] = sale
        if a.strict:
            if errors:
                failures.append(f"{sum(errors.values())} requests got no HTTP answer")
            fivexx = sum(n for s, n in answered.items() if s.startswith("5") and s != "503")
            if fivexx:
                failures.append(f"{fivexx} answers were 5xx")
    if scenario == "checkout":
        # emporium audit holds stocked = sold + on hand, sold = units in paid orders, on hand >= reserved = units
        # of active reservations: when it passes, no SKU sold or holds more than it had. A failed audit is a
        # failure below, and its breaches name the SKUs.
        last = expiry["auditExitStatus"] if expiry else (audit or {}).get("exitStatus")
        oversold = 0 if last == 0 else None
    summary["oversold"] = oversold
    if oversold:
        failures.append(f"OVERSOLD by {oversold} units")
    if a.dead_nodes:
        failures.append(f"node(s) {a.dead_nodes} died during the run")
    missed = crash is not None and not crash["midRun"]
    if missed:
        msg = "the kill came after the run had ended (raise REQUESTS or lower CRASH_AT_ORDERS/CRASH_AFTER)"
        failures.append(msg) if a.ci else print("cluster.sh: warning: " + msg, file=sys.stderr)
    if expiry:
        out = open(a.audit_output).read() if a.audit_output and os.path.exists(a.audit_output) else ""
        summary["auditAfterExpiry"] = "passed" if expiry["auditExitStatus"] == 0 else "FAILED"
        summary["auditAfterExpiryOutput"] = [l for l in out.splitlines() if l.startswith(("audit", "BREACH", " "))][:50]
        if expiry["auditExitStatus"] != 0:
            failures.append("audit after the reservations expired found breaches")
        sale = expiry.get("sale")
        if isinstance(sale, dict) and "remaining" in sale:
            summary["saleRemainingAfterExpiry"] = sale["remaining"]
            if not 0 <= sale["remaining"] <= sale.get("quantity", sale["remaining"]):
                failures.append(f"after expiry the sale shows remaining {sale['remaining']} of {sale.get('quantity')}")
        if expiry["pendingOrders"] != "0" or expiry["activeReservations"] != "0":
            failures.append(f"after {expiry['waitedSeconds']} s, {expiry['pendingOrders']} orders still pending_payment "
                            f"and {expiry['activeReservations']} reservations active (TTL {a.reservation} s)")
    summary["failures"] = failures
    summary["passed"] = not failures
    if load:
        summary["load"] = load
    json.dump(summary, open(out_path, "w"), indent=2, sort_keys=True)
    report(summary, crash, expiry, errors, main_op, out_path)
    return 0 if not failures else 4 if missed and len(failures) == 1 else 1


def report(summary, crash, expiry, errors, main_op, out_path):
    p = print
    p("")
    p(f"== cluster: {summary['scenario']}, 3 nodes behind nginx on PostgreSQL, strategy {summary['strategy']}, "
      f"{summary['connections']} connections, {summary['users']} users")
    if crash:
        p(f"   crash: node {crash['node']} kill -9 at {crash['atSecond']} s into the run ({crash['atOrders']} orders), "
          f"restarted after {crash['pauseSeconds']} s, ready in {crash['readyAfterSeconds']} s"
          + ("" if crash["midRun"] else "  [AFTER the run ended]"))
    if "operations" in summary:
        p("   answered by status: " + ", ".join(f"{k}: {v}" for k, v in summary["answeredByStatus"].items())
          + ("; NO ANSWER: " + ", ".join(f"{k}: {v}" for k, v in errors.items()) if errors
             else "; every request got an HTTP answer"))
        if any(summary["answeredByStatus"].get(k) for k in ("502", "504")):
            p("   (502/504 come from nginx: requests it could not move to another node, e.g. a POST without "
              "Idempotency-Key in flight on the killed node)")
        p(f"   {summary['operations']} operations in {summary['runSeconds']:.1f} s: {summary['operationsPerSecond']:.0f}/s; "
          f"{summary['throughput']:.0f} {summary['throughputUnit']}")
        l = summary["latencyMs"]
        if l.get("p50") is not None:
            p(f"   {main_op} latency ms: p50 {l['p50']:.1f}, p90 {l['p90']:.1f}, p99 {l['p99']:.1f}, max {l['max']:.1f}")
        if summary.get("healthPerSecond"):
            p(f"   /health/live through nginx {summary['healthPerSecond']:.0f} req/s; ratio {summary['ratioToHealth']:.3f}")
        if summary.get("flashSale"):
            s = summary["flashSale"]
            p(f"   sale: {s['wonThisRun']} won of {s['quantity']} units, remaining {s['remaining']} at the end of the run"
              + (f", {summary['saleRemainingAfterExpiry']} after the reservations expired"
                 if "saleRemainingAfterExpiry" in summary else ""))
    if summary["ordersByStatusAtEnd"]:
        p("   orders at the end: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["ordersByStatusAtEnd"].items())))
    oversold = summary["oversold"]
    p(f"   oversold: {oversold if oversold is not None else 'unknown'}; "
      f"nginx upstream error lines: {summary['nginxUpstreamErrorLines']}")
    p(f"   audit after the run: {summary.get('auditAfterRun')}"
      + (f"; after expiry ({expiry['waitedSeconds']} s wait, {expiry['cancelledOrders']} orders cancelled): "
         f"{summary['auditAfterExpiry']}" if expiry else ""))
    failures = summary["failures"]
    p(f"   {'PASSED' if not failures else 'FAILED: ' + '; '.join(failures)}  ({summary['seconds']['total']} s in all; {out_path})")


if __name__ == "__main__":
    sys.exit(main())
