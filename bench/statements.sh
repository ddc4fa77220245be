#!/usr/bin/env bash
# Statements and transactions per order (issue 21's count): ORDERS checkouts (add to cart, checkout, pay) by
# emporium-load against one release node per engine, and the growth of emporium_db_statements_total and
# emporium_db_transactions_total on its /metrics, per operation, divided by the confirmed orders. On PostgreSQL
# every statement (BEGIN and COMMIT included) is one round trip; SQLite's count leaves transaction control out.
#
#   bench/statements.sh                    # both engines, 2,000 orders
#   ENGINES=sqlite ORDERS=500 bench/statements.sh
#   BIN=/path/to/emporium bench/statements.sh   # another build (an A/B)
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINES=${ENGINES:-sqlite postgres}
ORDERS=${ORDERS:-2000}
PORT=${PORT:-18095}
OUT=${OUT:-bench/out/statements}
ADMIN_EMAIL=admin@load.test
ADMIN_PASSWORD=load-admin-password
export ENGINES ORDERS PORT OUT

run_engine() {
  local engine=$1
  local db=()
  if [ "$engine" = postgres ]; then db=(--database-url "${EMPORIUM_TEST_POSTGRES_URL:?run through scripts/with-postgres}"); fi
  DATA=$(mktemp -d)
  SERVER=""
  # shellcheck disable=SC2317  # called from the trap
  stop() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    SERVER=""
    rm -rf "$DATA"
  }
  trap stop EXIT INT TERM
  export EMPORIUM_BCRYPT_COST=4
  "$BIN" admin create --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --data-dir "$DATA" "${db[@]}" \
    --log-level warning >&2
  EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off EMPORIUM_PAYMENT_LATENCY_MS=0 \
    "$BIN" serve --data-dir "$DATA" --port "$PORT" "${db[@]}" --log-level warning > "$OUT/$engine-server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  # Setup (shoppers, products) first, untimed and uncounted: one order, then the counters' state.
  "$LOAD" --url "http://127.0.0.1:$PORT" --scenario checkout --connections 16 --requests 16 --users 200 \
    --health-duration 0 --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" > /dev/null
  sleep 2
  curl -fs "http://127.0.0.1:$PORT/metrics" > "$OUT/$engine-before.prom"
  "$LOAD" --url "http://127.0.0.1:$PORT" --scenario checkout --connections 16 --requests "$ORDERS" --users 200 \
    --duration 600 --health-duration 0 --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" \
    --json-out "$OUT/$engine-load.json" > /dev/null
  sleep 3
  curl -fs "http://127.0.0.1:$PORT/metrics" > "$OUT/$engine-after.prom"
  stop
  trap - EXIT INT TERM
}

if [ "${1:-}" = --engine ]; then
  run_engine "$2"
  exit
fi

if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=$PWD/.build-release/release/emporium
fi
swift build -c release --package-path Benchmarks --product emporium-load >&2
LOAD=$(swift build -c release --package-path Benchmarks --show-bin-path)/emporium-load
export BIN LOAD
mkdir -p "$OUT"
for engine in $ENGINES; do
  case $engine in
    sqlite) "$0" --engine sqlite ;;
    postgres) scripts/with-postgres "$0" --engine postgres ;;
  esac
done
python3 - "$OUT" "$ENGINES" <<'PY'
import json, re, sys, collections
out, engines = sys.argv[1], sys.argv[2].split()
pattern = re.compile(r'^(emporium_db_(?:statements|transactions)_total)\{(.*)\} (\S+)$')
def read(path):
    values = {}
    for line in open(path):
        m = pattern.match(line.strip())
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            values[(m.group(1), labels.get("operation", ""))] = float(m.group(3))
    return values
print("| engine | operation | statements per order | transactions per order |")
print("| --- | --- | ---: | ---: |")
for engine in engines:
    before, after = read(f"{out}/{engine}-before.prom"), read(f"{out}/{engine}-after.prom")
    orders = json.load(open(f"{out}/{engine}-load.json"))["run"]["outcomes"].get("confirmed", 0) or 1
    ops = sorted({op for (_, op) in after})
    total = collections.Counter()
    for op in ops:
        s = after.get(("emporium_db_statements_total", op), 0) - before.get(("emporium_db_statements_total", op), 0)
        t = after.get(("emporium_db_transactions_total", op), 0) - before.get(("emporium_db_transactions_total", op), 0)
        # emporium-load signs its shoppers in and finds its products again before the timed part: setup.
        if (s == 0 and t == 0) or "/auth/" in op or "/admin/" in op:
            continue
        total["s"] += s; total["t"] += t
        print(f"| {engine} | `{op}` | {s / orders:.1f} | {t / orders:.2f} |")
    print(f"| {engine} | **all** ({orders} orders) | **{total['s'] / orders:.1f}** | **{total['t'] / orders:.2f}** |")
PY
