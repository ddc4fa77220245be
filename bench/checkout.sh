#!/usr/bin/env bash
# Checkout end to end (issue 6): confirmed orders/s and latency of add to cart -> checkout -> pay, on SQLite
# and on PostgreSQL, each compared with GET /health/live on the same node, then the stock audit.
#
#   bench/checkout.sh                                   # both engines, 64 connections, 30 s, 1000 shoppers
#   ENGINES=sqlite DURATION=10 USERS=200 bench/checkout.sh
#   BIN=/path/to/emporium RESULTS=/tmp/r.md bench/checkout.sh   # another build, results elsewhere (an A/B)
#
# Builds release `emporium` (into .build-release) and `emporium-load` (Benchmarks package). Per engine: a
# fresh data dir (PostgreSQL: a throwaway cluster from scripts/with-postgres), `emporium admin create`, one
# node on 127.0.0.1 with rate limiting, access log and simulated payment latency off, then
#   emporium-load --scenario checkout ... --audit-command 'emporium audit ...'
# and the node is stopped. Writes the "## Checkout (issue 6)" section of bench/RESULTS.md (replacing an
# earlier one) from the JSON summaries in $OUT. Exits non-zero if any engine's run or audit failed.
#
# EMPORIUM_RESERVATION_STRATEGY (batched, conditional, row-lock) is passed on to the nodes when set;
# EMPORIUM_PG_DURABILITY (test, production, strict) to scripts/with-postgres. PG_TRANSPORT: how the node reaches
# its PostgreSQL on this machine, `socket` (the default: its unix socket, as a node beside its database would) or
# `tcp` (127.0.0.1, as a node on another machine must).
# Signing up the shoppers is setup, not measured; BCRYPT_COST (default 4, the server's default is 12) keeps
# it from taking minutes. The timed part never hashes a password.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINES=${ENGINES:-sqlite postgres}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-30}
USERS=${USERS:-1000}
PRODUCTS=${PRODUCTS:-100}
HEALTH_DURATION=${HEALTH_DURATION:-5}
PORT=${PORT:-18093}
BCRYPT_COST=${BCRYPT_COST:-4}
OUT=${OUT:-bench/out/checkout}
PG_TRANSPORT=${PG_TRANSPORT:-socket}
RESULTS=${RESULTS:-bench/RESULTS.md}
ADMIN_EMAIL=admin@load.test
ADMIN_PASSWORD=load-admin-password
export ENGINES CONNECTIONS DURATION USERS PRODUCTS HEALTH_DURATION PORT BCRYPT_COST OUT PG_TRANSPORT

# One engine, on a node of its own; called by the outer run below (for PostgreSQL through with-postgres).
run_engine() {
  local engine=$1 rc=0
  local db=()
  if [ "$engine" = postgres ]; then
    if [ "$PG_TRANSPORT" = socket ]; then
      db=(--database-url "${EMPORIUM_TEST_POSTGRES_SOCKET_URL:?run through scripts/with-postgres}")
    else
      db=(--database-url "${EMPORIUM_TEST_POSTGRES_URL:?run through scripts/with-postgres}")
    fi
  fi
  DATA=$(mktemp -d)
  SERVER=""
  # shellcheck disable=SC2317  # called from the trap
  stop() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    SERVER=""
    rm -rf "$DATA"
  }
  trap stop EXIT INT TERM

  export EMPORIUM_BCRYPT_COST=$BCRYPT_COST
  "$BIN" admin create --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --data-dir "$DATA" "${db[@]}" \
    --log-level warning >&2
  EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off EMPORIUM_PAYMENT_LATENCY_MS=0 \
    "$BIN" serve --data-dir "$DATA" --port "$PORT" "${db[@]}" --log-level warning > "$OUT/$engine-server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "$engine: node not ready" >&2; cat "$OUT/$engine-server.log" >&2; exit 1; }
  echo "== $engine: node up (pid $SERVER); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

  "$LOAD" --url "http://127.0.0.1:$PORT" --scenario checkout --connections "$CONNECTIONS" --duration "$DURATION" \
    --users "$USERS" --products "$PRODUCTS" --health-duration "$HEALTH_DURATION" \
    --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" --json-out "$OUT/$engine.json" \
    --audit-command "$(printf '%q ' "$BIN" audit --data-dir "$DATA" "${db[@]}")" | tee "$OUT/$engine.txt" || rc=$?
  echo "$rc" > "$OUT/$engine.rc"
  echo "node RSS after the run: $(ps -o rss= -p "$SERVER" | awk '{printf "%d", $1 / 1024}') MiB" | tee -a "$OUT/$engine.txt" >&2
  stop
  trap - EXIT INT TERM
  return "$rc"
}

if [ "${1:-}" = --engine ]; then
  run_engine "$2"
  exit
fi

command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=$PWD/.build-release/release/emporium
fi
swift build -c release --package-path Benchmarks --product emporium-load >&2
LOAD=$(swift build -c release --package-path Benchmarks --show-bin-path)/emporium-load
export BIN LOAD
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.rc
# The machine is shared: say how busy it was, next to the numbers.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

status=0
for engine in $ENGINES; do
  case $engine in
    sqlite) "$0" --engine sqlite || status=1 ;;
    postgres) scripts/with-postgres "$0" --engine postgres || status=1 ;;
    *) echo "unknown engine $engine (sqlite, postgres)" >&2; exit 2 ;;
  esac
done

MACHINE="$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(free -h | awk '/^Mem:/ {print $2}') memory, $(date -u '+%Y-%m-%d %H:%M UTC'), load average before the runs: $LOAD_BEFORE"
python3 - "$RESULTS" "$OUT" "$MACHINE" "$ENGINES" <<'PY'
import json, os, re, sys
results, out, machine, engines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
env = os.environ
durability = {
    "test": "fsync, synchronous_commit and full_page_writes off",
    "production": "fsync on, synchronous_commit off",
    "strict": "fsync and synchronous_commit on",
}
lines = [
    "## Checkout (issue 6)", "",
    f"Command: `EMPORIUM_PG_DURABILITY={env.get('EMPORIUM_PG_DURABILITY') or 'test'} "
    f"ENGINES=\"{' '.join(engines)}\" CONNECTIONS={env['CONNECTIONS']} DURATION={env['DURATION']} "
    f"USERS={env['USERS']} PRODUCTS={env['PRODUCTS']} bench/checkout.sh`", "",
    "One operation = one order: `POST /cart/items` (a random one of the LOAD-n SKUs), `POST /checkout`, "
    "`POST /orders/{id}/pay` (card 4242...), each shopper signed in beforehand; orders/s counts orders that came "
    f"back `confirmed`. One release node on 127.0.0.1, `EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off "
    f"EMPORIUM_PAYMENT_LATENCY_MS=0`, {env['CONNECTIONS']} connections from `emporium-load` (same 2 cores), "
    f"{env['USERS']} shoppers, {env['PRODUCTS']} products; then `GET /health/live` for {env['HEALTH_DURATION']} s "
    "on the same connections; PostgreSQL from `scripts/with-postgres` with "
    f"`EMPORIUM_PG_DURABILITY={env.get('EMPORIUM_PG_DURABILITY') or 'test'}` "
    f"({durability[env.get('EMPORIUM_PG_DURABILITY') or 'test']}), reached through "
    f"{'its unix socket' if env.get('PG_TRANSPORT') == 'socket' else '127.0.0.1 (TCP)'}; reservation strategy "
    f"{env.get('EMPORIUM_RESERVATION_STRATEGY') or 'the default (batched)'}.", "",
    f"Machine: {machine}.", "",
    "| engine | orders/s | order p50 / p99 ms | cart add p50 / p99 | checkout p50 / p99 | pay p50 / p99 | health req/s | orders/s ÷ health | not confirmed | audit |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
]
notes = []
for engine in engines:
    path = os.path.join(out, f"{engine}.json")
    if not os.path.exists(path):
        lines.append(f"| {engine} | – | – | – | – | – | – | – | run failed, see {out}/{engine}.txt | – |")
        continue
    s = json.load(open(path))
    run, lat = s["run"], s["run"]["latencyMs"]
    def pp(name):
        l = lat.get(name)
        return f"{l['p50']:.1f} / {l['p99']:.1f}" if l else "–"
    health = s.get("health") or {}
    ratio = s.get("ratioToHealth")
    others = {k: v for k, v in run["outcomes"].items() if k != "confirmed"}
    errors = sum(sum(v.values()) for v in run["transportErrors"].values())
    bad = ", ".join(f"{k}: {v}" for k, v in sorted(others.items())) or "none"
    if errors:
        bad += f"; transport errors {errors}"
    audit = s.get("audit")
    verdict = "–" if not audit else ("passed" if audit["exitStatus"] == 0 else f"FAILED (exit {audit['exitStatus']})")
    lines.append(
        f"| {engine} | {run['perSecond']:.0f} | {pp('order')} | {pp('cart.add')} | {pp('checkout')} | {pp('pay')} "
        f"| {health.get('perSecond', 0):.0f} | {ratio:.3f} | {bad} | {verdict} |" if ratio is not None else
        f"| {engine} | {run['perSecond']:.0f} | {pp('order')} | {pp('cart.add')} | {pp('checkout')} | {pp('pay')} | – | – | {bad} | {verdict} |"
    )
    notes.append(f"- {engine}: {run['operations']} orders attempted in {run['seconds']:.1f} s, {run['succeeded']} confirmed; "
                 f"setup {s['setupSeconds']:.0f} s.")
    if audit:
        # The audit's own verdict lines, without the log lines the CLI prints around them.
        said = [l for l in audit["output"].splitlines() if l.startswith(("audit", "BREACH"))][:5]
        notes.append("  audit: " + "; ".join(f"`{l[:200]}`" for l in said))
lines += [""] + notes + [""]
section = "\n".join(lines)
text = open(results).read() if os.path.exists(results) else "# Benchmark results\n"
pattern = re.compile(r"^## Checkout \(issue 6\)\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(results, "w").write(text.rstrip("\n") + "\n")
print(section)
PY
exit "$status"
