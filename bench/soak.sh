#!/usr/bin/env bash
# Soak (issue 22, item 4): one release node on SQLite with a synthetic catalog, edited (titles and prices) at a
# steady rate while it is searched, for MINUTES; the node's RSS is sampled every 5 s. Checks that the search
# index's compaction keeps memory flat and search latency where it was. bench/soak.py drives it and writes
# $OUT/soak.json, $OUT/soak-rss.svg and the numbers for bench/RESULTS.md; $OUT/server.log has a line for each
# compaction, with how long searches waited for it.
#
#   bench/soak.sh                                    # 200,000 products, 50 edits/s, 4 searchers, 10 minutes
#   PRODUCTS=20000 MINUTES=2 bench/soak.sh           # a quick look
#
# Environment: PRODUCTS [200000], MINUTES [10], EDIT_RATE [50], SEARCHERS [4], PORT [18300], OUT [bench/out/soak],
# BIN (unset: a release build into .build-release), DATA (a data dir to reuse; unset: a fresh one, seeded).
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS=${PRODUCTS:-200000}
MINUTES=${MINUTES:-10}
EDIT_RATE=${EDIT_RATE:-50}
SEARCHERS=${SEARCHERS:-4}
PORT=${PORT:-18300}
OUT=${OUT:-bench/out/soak}
if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=$PWD/.build-release/release/emporium
fi
mkdir -p "$OUT"

KEEP=${DATA:+yes}
DATA=${DATA:-$(mktemp -d)}
SERVER=""
stop() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  [ -n "$KEEP" ] || rm -rf "$DATA"
}
trap stop EXIT INT TERM

export EMPORIUM_BCRYPT_COST=4
if [ ! -f "$DATA/emporium.sqlite" ]; then
  "$BIN" seed --synthetic "$PRODUCTS" --data-dir "$DATA" --log-level warning >&2
  "$BIN" admin create --email admin@soak.test --password soak-admin-password --data-dir "$DATA" \
    --log-level warning >&2
fi
EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off "$BIN" serve --data-dir "$DATA" --port "$PORT" \
  --log-level notice > "$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "node not ready" >&2; exit 1; }
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email": "admin@soak.test", "password": "soak-admin-password"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')
echo "== node up (pid $SERVER, RSS $(awk '/VmRSS/ {print $2 / 1024}' /proc/$SERVER/status) MiB); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 bench/soak.py --url "http://127.0.0.1:$PORT" --pid "$SERVER" --token "$TOKEN" --products "$PRODUCTS" \
  --minutes "$MINUTES" --edit-rate "$EDIT_RATE" --searchers "$SEARCHERS" --out "$OUT"
