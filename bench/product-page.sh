#!/usr/bin/env bash
# Product page vs. /health/live, measured in one run with wrk on 127.0.0.1 (issue: catalog).
#
#   bench/product-page.sh                 # 1,000,000 synthetic products, 3 rounds of 10 s each
#   PRODUCTS=100000 ROUNDS=1 bench/product-page.sh
#
# Builds a release binary (into .build-release), seeds a synthetic catalog into a throwaway data dir,
# starts one node, warms it, then alternates wrk runs on GET /health/live and GET /api/v1/products/{id}
# (random ids of rated products, then of products without ratings) and prints medians and the ratios. Stops the
# server on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS=${PRODUCTS:-1000000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}
IDS=${IDS:-20000}
OUT=${OUT:-bench/out}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=.build-release/release/emporium
fi

mkdir -p "$OUT"
# DATA_DIR keeps the seeded store between runs (seeding 1M products takes about 2 minutes).
DATA=${DATA_DIR:-$(mktemp -d)}
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  [ -n "${DATA_DIR:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

SEED_SECONDS=0
if [ -f "$DATA/emporium.sqlite" ]; then
  echo "reusing the store in $DATA" >&2
else
  echo "seeding $PRODUCTS synthetic products..." >&2
  SEED_START=$(date +%s.%N)
  "$BIN" seed --synthetic "$PRODUCTS" --data-dir "$DATA" >&2
  SEED_SECONDS=$(echo "$(date +%s.%N) - $SEED_START" | bc)
fi

# Random product ids of the synthetic catalog, in two sets: products with ratings (reviews' aggregates on the page)
# and products without (about one in six). The page of either is the same cached lookup; the two runs show it.
python3 - "$DATA/emporium.sqlite" "$IDS" "$OUT" <<'PY'
import random, sqlite3, sys
db, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(42)
connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
for name, condition in (("ids", "rating_count > 0"), ("ids-unrated", "rating_count = 0")):
    ids = [row[0] for row in connection.execute(f"SELECT id FROM products WHERE {condition} AND deleted_at IS NULL")]
    with open(f"{out}/{name}.txt", "w") as f:
        for i in random.sample(ids, min(len(ids), k)):
            print(i, file=f)
PY
[ -s "$OUT/ids-unrated.txt" ] || { echo "no unrated products in the catalog" >&2; exit 1; }

EMPORIUM_ACCESS_LOG=off EMPORIUM_RATE_LIMIT=0 "$BIN" serve --data-dir "$DATA" --port "$PORT" --log-level warning &
SERVER=$!
# Ready means the search index is built too; measuring earlier would race that build for the CPU.
READY_START=$(date +%s.%N)
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
echo "ready after $(echo "$(date +%s.%N) - $READY_START" | bc) s (search index built)" >&2

# Warm the product cache on every id.
wrk -t2 -c64 -d15s -s bench/product-page.lua "http://127.0.0.1:$PORT" -- "$OUT/ids.txt" >/dev/null
wrk -t2 -c64 -d10s -s bench/product-page.lua "http://127.0.0.1:$PORT" -- "$OUT/ids-unrated.txt" >/dev/null

run() { # $1 = label, rest = wrk args; prints "rps p99ms"
  local label=$1; shift
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" > "$OUT/$label.txt"
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$label.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$OUT/$label.txt")
  echo "$rps $p99"
}

: > "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  health=$(run "health-$round" "http://127.0.0.1:$PORT/health/live")
  product=$(run "product-$round" -s bench/product-page.lua "http://127.0.0.1:$PORT" -- "$OUT/ids.txt")
  unrated=$(run "unrated-$round" -s bench/product-page.lua "http://127.0.0.1:$PORT" -- "$OUT/ids-unrated.txt")
  echo "$round $health $product $unrated" | tee -a "$OUT/rounds.txt" >&2
done

python3 - "$OUT/rounds.txt" "$PRODUCTS" "$SEED_SECONDS" "$CONNECTIONS" "$DURATION" <<'PY'
import statistics, sys
rows = [list(map(float, line.split()[1:])) for line in open(sys.argv[1]) if line.strip()]
h_rps = statistics.median(r[0] for r in rows); h_p99 = statistics.median(r[1] for r in rows)
p_rps = statistics.median(r[2] for r in rows); p_p99 = statistics.median(r[3] for r in rows)
u_rps = statistics.median(r[4] for r in rows); u_p99 = statistics.median(r[5] for r in rows)
print(f"products={sys.argv[2]} seed_seconds={float(sys.argv[3]):.1f} connections={sys.argv[4]} duration={sys.argv[5]} rounds={len(rows)}")
print(f"GET /health/live          median {h_rps:10.0f} req/s  p99 {h_p99:6.2f} ms")
print(f"GET /api/v1/products/{{id}} median {p_rps:10.0f} req/s  p99 {p_p99:6.2f} ms  (rated products)")
print(f"GET /api/v1/products/{{id}} median {u_rps:10.0f} req/s  p99 {u_p99:6.2f} ms  (products without ratings)")
ratio = p_rps / h_rps
print(f"ratio product/health = {ratio:.2f} (target >= 0.70); product p99 {'<' if p_p99 < 5 else '>='} 5 ms")
print(f"ratio unrated/health = {u_rps / h_rps:.2f}; rated/unrated = {p_rps / u_rps:.2f}")
PY
