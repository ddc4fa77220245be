#!/usr/bin/env bash
# Search over HTTP at concurrency 8 (issue 4 target: p99 under 20 ms), on a store already seeded with
# `emporium seed --synthetic N`, with the queries of bench/search/run.sh.
#
#   DATA_DIR=/tmp/ppdata bench/search/http.sh        # the store bench/product-page.sh kept
#
# Starts one release node on the store, waits for /health/ready (search index built; prints how long that
# took and the node's RSS), runs wrk -t2 -c8 over the queries for WARMUP (not measured) and then DURATION, then the
# same on /health/live.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA_DIR:?set DATA_DIR to a seeded store}
QUERIES=${QUERIES:-bench/out/search/queries.json}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
PORT=${PORT:-18091}
BIN=${BIN:-.build-release/release/emporium}
OUT=${OUT:-bench/out/search}
mkdir -p "$OUT"

python3 - "$QUERIES" > "$OUT/http-queries.txt" <<'PY'
import json, sys, urllib.parse
for q in json.load(open(sys.argv[1])):
    params = [("q", q["q"])]
    for brand in q.get("brand") or []:
        params.append(("brand", brand))
    for key in ("category", "minPrice", "maxPrice", "minRating"):
        if q.get(key) is not None:
            params.append((key, q[key]))
    if q.get("inStock"):
        params.append(("inStock", "true"))
    print(urllib.parse.urlencode(params))
PY

EMPORIUM_ACCESS_LOG=off EMPORIUM_RATE_LIMIT=0 "$BIN" serve --data-dir "$DATA" --port "$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT INT TERM
START=$(date +%s.%N)
for _ in $(seq 1 900); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
echo "ready after $(echo "$(date +%s.%N) - $START" | bc) s; node RSS $(( $(ps -o rss= -p "$SERVER") / 1024 )) MiB"

# Warm-up, not measured: the same queries for WARMUP (the first seconds after start fault in memory the build
# freed, and the timed run should measure the steady state, as the in-process benchmark's warm-up pass does).
wrk -t2 -c8 -d"$WARMUP" -s bench/search/http.lua "http://127.0.0.1:$PORT" -- "$OUT/http-queries.txt" > /dev/null
wrk -t2 -c8 -d"$DURATION" --latency -s bench/search/http.lua "http://127.0.0.1:$PORT" -- "$OUT/http-queries.txt" | tee "$OUT/http-search.txt"
wrk -t2 -c8 -d"$DURATION" --latency "http://127.0.0.1:$PORT/health/live" | tee "$OUT/http-health.txt"
echo "node RSS after the run: $(( $(ps -o rss= -p "$SERVER") / 1024 )) MiB"
