#!/usr/bin/env bash
# Webhooks end to end (issue 18): the order.created events of ORDERS checkouts fanned out to ENDPOINTS local
# endpoints; deliveries/s and the lag from each event's commit to its receipt, per engine.
#
#   bench/webhooks.sh                                   # both engines, 10,000 orders, 3 endpoints
#   ENGINES=sqlite ORDERS=2000 bench/webhooks.sh
#
# Builds release `emporium` (.build-release), `emporium-load` and `webhook-receiver` (Benchmarks package). Per
# engine: a fresh store (PostgreSQL: a throwaway cluster from scripts/with-postgres), `emporium admin create`, one
# node on 127.0.0.1 with EMPORIUM_WEBHOOK_ALLOW_PRIVATE=true, `webhook-receiver` listening on ENDPOINTS ports, one
# endpoint per port subscribed to order.created, then `emporium-load --scenario checkout --requests ORDERS`. The
# receiver answers 200 at once and ends when every delivery arrived (or none came for 30 s). Lag = receipt time
# minus the event's createdAt (taken in the order's transaction, just before its commit), same clock.
# Writes the "## Webhooks (issue 18)" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINES=${ENGINES:-sqlite postgres}
ORDERS=${ORDERS:-10000}
ENDPOINTS=${ENDPOINTS:-3}
CONNECTIONS=${CONNECTIONS:-64}
USERS=${USERS:-1000}
PORT=${PORT:-18094}
OUT=${OUT:-bench/out/webhooks}
RESULTS=${RESULTS:-bench/RESULTS.md}
ADMIN_EMAIL=admin@load.test
ADMIN_PASSWORD=load-admin-password
export ENGINES ORDERS ENDPOINTS CONNECTIONS USERS PORT OUT

run_engine() {
  local engine=$1
  local db=()
  if [ "$engine" = postgres ]; then db=(--database-url "${EMPORIUM_TEST_POSTGRES_URL:?run through scripts/with-postgres}"); fi
  DATA=$(mktemp -d)
  SERVER="" RECEIVER=""
  # shellcheck disable=SC2317  # called from the trap
  stop() {
    for pid in $SERVER $RECEIVER; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    SERVER="" RECEIVER=""
    rm -rf "$DATA"
  }
  trap stop EXIT INT TERM

  export EMPORIUM_BCRYPT_COST=4
  "$BIN" admin create --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --data-dir "$DATA" "${db[@]}" \
    --log-level warning >&2
  EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off EMPORIUM_PAYMENT_LATENCY_MS=0 EMPORIUM_WEBHOOK_ALLOW_PRIVATE=true \
    "$BIN" serve --data-dir "$DATA" --port "$PORT" "${db[@]}" --log-level warning > "$OUT/$engine-server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "$engine: node not ready" >&2; exit 1; }

  "$RECEIVER_BIN" --ports "$ENDPOINTS" --expect $((ORDERS * ENDPOINTS)) --port-file "$DATA/ports" --idle 30 \
    --limit 900 > "$OUT/$engine.json" &
  RECEIVER=$!
  for _ in $(seq 1 100); do [ -s "$DATA/ports" ] && break; sleep 0.1; done
  token=$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\": \"$ADMIN_EMAIL\", \"password\": \"$ADMIN_PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')
  for port in $(cat "$DATA/ports"); do
    curl -fs "http://127.0.0.1:$PORT/api/v1/admin/webhooks" -H "authorization: Bearer $token" \
      -H 'content-type: application/json' \
      -d "{\"url\": \"http://127.0.0.1:$port/hook\", \"events\": [\"order.created\"]}" >/dev/null
  done
  echo "== $engine: node and $ENDPOINTS endpoints up; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

  "$LOAD" --url "http://127.0.0.1:$PORT" --scenario checkout --connections "$CONNECTIONS" --requests "$ORDERS" \
    --duration 600 --users "$USERS" --health-duration 0 --admin-email "$ADMIN_EMAIL" \
    --admin-password "$ADMIN_PASSWORD" --json-out "$OUT/$engine-load.json" > "$OUT/$engine-load.txt"
  wait "$RECEIVER"
  RECEIVER=""
  cat "$OUT/$engine.json" >&2
  stop
  trap - EXIT INT TERM
}

if [ "${1:-}" = --engine ]; then
  run_engine "$2"
  exit
fi

command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 1; }
swift build -c release --product emporium --scratch-path .build-release >&2
swift build -c release --package-path Benchmarks --product emporium-load >&2
swift build -c release --package-path Benchmarks --product webhook-receiver >&2
BIN=$PWD/.build-release/release/emporium
LOAD=$(swift build -c release --package-path Benchmarks --show-bin-path)/emporium-load
RECEIVER_BIN=$(swift build -c release --package-path Benchmarks --show-bin-path)/webhook-receiver
export BIN LOAD RECEIVER_BIN
mkdir -p "$OUT"
rm -f "$OUT"/*.json
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

for engine in $ENGINES; do
  case $engine in
    sqlite) "$0" --engine sqlite ;;
    postgres) scripts/with-postgres "$0" --engine postgres ;;
    *) echo "unknown engine $engine (sqlite, postgres)" >&2; exit 2 ;;
  esac
done

MACHINE="$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(date -u '+%Y-%m-%d %H:%M UTC'), load average before the runs: $LOAD_BEFORE"
python3 - "$RESULTS" "$OUT" "$MACHINE" "$ENGINES" <<'PY'
import json, os, re, sys
results, out, machine, engines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
env = os.environ
lines = [
    "## Webhooks (issue 18)", "",
    f"Command: `ENGINES=\"{' '.join(engines)}\" ORDERS={env['ORDERS']} ENDPOINTS={env['ENDPOINTS']} bench/webhooks.sh`", "",
    f"{env['ORDERS']} checkouts by `emporium-load` ({env['CONNECTIONS']} connections; each order also paid), their "
    f"`order.created` events posted to {env['ENDPOINTS']} endpoints of `webhook-receiver` on 127.0.0.1 (answers 200 at "
    "once), all on the same 2 cores as the release node. Deliveries/s: deliveries over the time from the first "
    "event's commit to the last receipt, so it includes the orders being made. Lag: receipt minus the event's "
    "`createdAt` (written in the order's transaction just before commit).", "",
    f"Machine: {machine}.", "",
    "| engine | orders/s (load) | deliveries | duplicates | deliveries/s | lag p50 / p90 / p99 / max ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
]
for engine in engines:
    try:
        s = json.load(open(os.path.join(out, f"{engine}.json")))
        load = json.load(open(os.path.join(out, f"{engine}-load.json")))
    except (OSError, ValueError):
        lines.append(f"| {engine} | – | run failed, see {out} | | | |")
        continue
    lag = s["lagMs"]
    lines.append(
        f"| {engine} | {load['run']['perSecond']:.0f} | {s['deliveries']} | {s['duplicates']} | "
        f"{s['deliveriesPerSecond']:.0f} | {lag['p50']:.0f} / {lag['p90']:.0f} / {lag['p99']:.0f} / {lag['max']:.0f} |")
section = "\n".join(lines) + "\n"
text = open(results).read() if os.path.exists(results) else "# Benchmark results\n"
pattern = re.compile(r"^## Webhooks \(issue 18\)\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(results, "w").write(text)
print(section)
PY
