#!/usr/bin/env bash
# The storefront's pages vs. /health/live (issue 19), measured in one run with wrk on 127.0.0.1:
#   product pages (/p/{slug}, random products) and the home page (/) at 64 connections, as req/s ratios to
#   /health/live in the same round; the search page (/search?q=<word>, random words of the catalog) at 8
#   connections, its p99; and the size of the pages' own CSS and JS. Before the rounds every product page is asked
#   for once (the rate of those first renders is printed too), so the rounds measure the pages a node keeps.
#
#   bench/pages.sh                          # 1,000,000 synthetic products, 3 rounds of 10 s
#   PRODUCTS=100000 ROUNDS=1 DATA_DIR=/tmp/ppdata bench/pages.sh
#
# Builds a release binary (.build-release) unless BIN is given; seeds the catalog into DATA_DIR (kept) or a
# throwaway dir; one node with the access log and rate limit off; guest pages (no cookie), as a crawler or a
# first visit sees them. Prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS=${PRODUCTS:-1000000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
PORT=${PORT:-18096}
OUT=${OUT:-bench/out/pages}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=.build-release/release/emporium
fi
mkdir -p "$OUT"
DATA=${DATA_DIR:-$(mktemp -d)}
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  [ -n "${DATA_DIR:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

if [ ! -f "$DATA/emporium.sqlite" ]; then
  echo "seeding $PRODUCTS synthetic products..." >&2
  "$BIN" seed --synthetic "$PRODUCTS" --data-dir "$DATA" >&2
fi

# 20,000 random product pages, and 2,000 search pages of words from the catalog's titles.
python3 - "$DATA/emporium.sqlite" "$OUT" <<'PY'
import random, sqlite3, sys, urllib.parse
db, out = sys.argv[1], sys.argv[2]
random.seed(42)
connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
slugs = [row[0] for row in connection.execute("SELECT slug FROM products WHERE deleted_at IS NULL")]
with open(f"{out}/product-paths.txt", "w") as f:
    for slug in random.sample(slugs, min(len(slugs), 20000)):
        print("/p/" + urllib.parse.quote(slug), file=f)
titles = [row[0] for row in connection.execute("SELECT title FROM products ORDER BY random() LIMIT 5000")]
words = sorted({w.lower() for t in titles for w in t.split() if w.isalpha() and len(w) > 3})
with open(f"{out}/search-paths.txt", "w") as f:
    for _ in range(2000):
        print("/search?q=" + urllib.parse.quote(random.choice(words)), file=f)
PY

EMPORIUM_ACCESS_LOG=off EMPORIUM_RATE_LIMIT=0 "$BIN" serve --data-dir "$DATA" --port "$PORT" --log-level warning &
SERVER=$!
for _ in $(seq 1 900); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "node not ready" >&2; exit 1; }
for path in / "$(head -1 "$OUT/product-paths.txt")" "$(head -1 "$OUT/search-paths.txt")"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")
  [ "$code" = 200 ] || { echo "GET $path answered $code" >&2; exit 1; }
done
echo "/" > "$OUT/home-paths.txt"
# Warm the caches: every product page once (a node keeps the rendered pages of the products people look at; the
# first render of each is measured apart, below), then the search pages.
warm_start=$(date +%s.%N)
sed "s|^|http://127.0.0.1:$PORT|" "$OUT/product-paths.txt" | xargs -P 4 -n 100 curl -s >/dev/null
warm_end=$(date +%s.%N)
pages=$(wc -l < "$OUT/product-paths.txt")
FIRST=$(awk -v n="$pages" -v s="$warm_start" -v e="$warm_end" 'BEGIN { printf "%d product pages rendered for the first time (4 clients): %.0f pages/s", n, n / (e - s) }')
echo "$FIRST" >&2
wrk -t2 -c8 -d5s -s bench/paths.lua "http://127.0.0.1:$PORT" -- "$OUT/search-paths.txt" >/dev/null

run() { # $1 = label, $2 = connections, rest = wrk args; prints "rps p99ms"
  local label=$1 connections=$2; shift 2
  wrk -t2 -c"$connections" -d"$DURATION" --latency "$@" > "$OUT/$label.txt"
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$label.txt")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$OUT/$label.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$label.txt")
  [ -z "$non2xx" ] || echo "$label: $non2xx non-2xx answers" >&2
  echo "$rps $p99"
}

: > "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  health=$(run "health-$round" 64 "http://127.0.0.1:$PORT/health/live")
  product=$(run "product-$round" 64 -s bench/paths.lua "http://127.0.0.1:$PORT" -- "$OUT/product-paths.txt")
  home=$(run "home-$round" 64 -s bench/paths.lua "http://127.0.0.1:$PORT" -- "$OUT/home-paths.txt")
  search=$(run "search-$round" 8 -s bench/paths.lua "http://127.0.0.1:$PORT" -- "$OUT/search-paths.txt")
  echo "$round $health $product $home $search" | tee -a "$OUT/rounds.txt" >&2
done

ASSETS=$(cat Sources/EmporiumWeb/Resources/static/*.css Sources/EmporiumWeb/Resources/static/*.js | wc -c)
python3 - "$OUT/rounds.txt" "$PRODUCTS" "$DURATION" "$ASSETS" "$FIRST" <<'PY'
import statistics, sys
rows = [list(map(float, line.split()[1:])) for line in open(sys.argv[1]) if line.strip()]
m = lambda i: statistics.median(r[i] for r in rows)
print(f"products={sys.argv[2]} duration={sys.argv[3]} rounds={len(rows)}")
print(f"GET /health/live  (64 conn) median {m(0):9.0f} req/s  p99 {m(1):7.2f} ms")
print(f"GET /p/{{slug}}     (64 conn) median {m(2):9.0f} req/s  p99 {m(3):7.2f} ms  ratio {m(2) / m(0):.2f} (target >= 0.70)")
print(f"GET /             (64 conn) median {m(4):9.0f} req/s  p99 {m(5):7.2f} ms  ratio {m(4) / m(0):.2f} (target >= 0.50)")
print(f"GET /search?q=    ( 8 conn) median {m(6):9.0f} req/s  p99 {m(7):7.2f} ms  (target p99 < 25 ms)")
print(sys.argv[5])
print(f"the pages' own CSS and JS: {int(sys.argv[4]):,} bytes (target < 40 KB)")
PY
