#!/usr/bin/env bash
# The admin dashboard (GET /admin, issue 20) on a large store: its p99 with wrk on 127.0.0.1, signed in as an
# admin (the session cookie passed with -H), at a few connections (a handful of merchants, not a crowd).
#
#   bench/admin-dashboard.sh                           # 100,000 orders over 60 days, 3 rounds of 10 s
#   ORDERS=20000 ROUNDS=1 DATA_DIR=/tmp/dash bench/admin-dashboard.sh
#   scripts/with-postgres bash -c 'DATABASE_URL=$EMPORIUM_TEST_POSTGRES_URL bench/admin-dashboard.sh'
#
# Builds a release binary (.build-release) unless BIN is given; seeds PRODUCTS synthetic products and ORDERS
# orders (`emporium seed --orders`) into DATA_DIR (kept) or a throwaway dir; one node with the access log and the
# rate limit off. With DATABASE_URL (an empty PostgreSQL database) the store is seeded there instead. Prints the
# medians of the rounds. Target: p99 < 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS=${PRODUCTS:-10000}
ORDERS=${ORDERS:-100000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
PORT=${PORT:-18097}
OUT=${OUT:-bench/out/admin-dashboard}
EMAIL=bench-admin@example.com
PASSWORD=bench-admin-password

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=.build-release/release/emporium
fi
mkdir -p "$OUT"
DATA=${DATA_DIR:-$(mktemp -d)}
STORE=(--data-dir "$DATA")
[ -z "${DATABASE_URL:-}" ] || STORE+=(--database-url "$DATABASE_URL")
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  [ -n "${DATA_DIR:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

if [ -n "${DATABASE_URL:-}" ] || [ ! -f "$DATA/emporium.sqlite" ]; then
  echo "seeding $PRODUCTS products and $ORDERS orders..." >&2
  "$BIN" seed --synthetic "$PRODUCTS" --orders "$ORDERS" "${STORE[@]}" >&2
  "$BIN" admin create --email "$EMAIL" --password "$PASSWORD" "${STORE[@]}" >&2
fi

EMPORIUM_ACCESS_LOG=off EMPORIUM_RATE_LIMIT=0 "$BIN" serve "${STORE[@]}" --port "$PORT" --log-level warning &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 900); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
curl -fs "$BASE/health/ready" >/dev/null || { echo "node not ready" >&2; exit 1; }

# Sign in through the login page, as a browser does: its CSRF token, then the form.
JAR="$OUT/cookies.txt"
rm -f "$JAR"
csrf=$(curl -fs -c "$JAR" -b "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf=$csrf" "$BASE/login"
COOKIE="emporium_session=$(awk '$6 == "emporium_session" {print $7}' "$JAR" | tail -1)"
page=$(curl -fs -H "Cookie: $COOKIE" "$BASE/admin")
grep -q 'data-test="sales-chart"' <<<"$page" || { echo "GET /admin did not answer the dashboard" >&2; exit 1; }
grep -c 'class="chart-bar"' <<<"$page" >/dev/null

run() { # $1 = label, $2 = path; prints "rps p50ms p99ms"
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" "$BASE$2" > "$OUT/$1.txt"
  local ms='{v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}'
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$1.txt")
  [ -z "$non2xx" ] || echo "$1: $non2xx non-2xx answers" >&2
  echo "$(awk '/^Requests\/sec/ {print $2}' "$OUT/$1.txt") $(awk "\$1 == \"50%\" $ms" "$OUT/$1.txt") $(awk "\$1 == \"99%\" $ms" "$OUT/$1.txt")"
}

run warm /admin >/dev/null
# Each round measures /health/live at the same connections first: on a shared machine its p99 shows how loaded
# the round was.
: > "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  echo "$round $(run "dashboard-$round" /admin) $(run "health-$round" /health/live) $(cut -d' ' -f1 /proc/loadavg)" \
    | tee -a "$OUT/rounds.txt" >&2
done
ENGINE=sqlite
[ -z "${DATABASE_URL:-}" ] || ENGINE=postgres
python3 - "$OUT/rounds.txt" "$ORDERS" "$PRODUCTS" "$CONNECTIONS" "$DURATION" "$ENGINE" <<'PY'
import statistics, sys
rows = [list(map(float, line.split()[1:])) for line in open(sys.argv[1]) if line.strip()]
m = lambda i: statistics.median(r[i] for r in rows)
print(f"engine={sys.argv[6]} orders={sys.argv[2]} products={sys.argv[3]} connections={sys.argv[4]} "
      f"duration={sys.argv[5]} rounds={len(rows)}")
print(f"GET /admin        median {m(0):8.0f} req/s  p50 {m(1):7.2f} ms  p99 {m(2):7.2f} ms  (target p99 < 100 ms)")
print(f"GET /health/live  median {m(3):8.0f} req/s  p50 {m(4):7.2f} ms  p99 {m(5):7.2f} ms  load average {m(6):.1f}")
PY
