#!/usr/bin/env bash
# Flash sale on one node (issue 7): emporium-load's flash-sale scenario against one release node (SQLite, or
# PostgreSQL with ENGINE=postgres), then GET /health/live on the same node and connections, then
# `emporium audit`. The three-node PostgreSQL runs are bench/cluster.sh's.
#
#   bench/flash-sale.sh                                  # 100,000 attempts, 10,000 users, 1,000 connections,
#                                                        # a 1,000-unit sale, limit 1
#   QUANTITY=20000 LIMIT=5 TAG=allocation bench/flash-sale.sh   # the allocation-heavy variant
#   STRATEGY=row-lock REQUESTS=20000 bench/flash-sale.sh
#   ENGINE=postgres scripts/with-postgres bench/flash-sale.sh   # one node on PostgreSQL (A/B runs)
#
# Environment: REQUESTS [100000], USERS [10000], CONNECTIONS [1000], QUANTITY [1000], LIMIT [1],
# DURATION (cap of the timed part, s) [300], HEALTH_DURATION [5], STRATEGY (EMPORIUM_RESERVATION_STRATEGY)
# [server's: batched], ENGINE (sqlite, postgres) [sqlite], TAG (output name) [flash-sale-<engine>-<strategy>],
# OUT [bench/out/flash-sale], PORT [18097], BIN and LOAD (binaries; unset: release builds). Output:
# $OUT/$TAG.json (emporium-load's summary), $OUT/$TAG.txt (its report), $OUT/$TAG.server.log. Exits non-zero
# when the run, the oversell check or the audit failed.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-100000}
USERS=${USERS:-10000}
CONNECTIONS=${CONNECTIONS:-1000}
QUANTITY=${QUANTITY:-1000}
LIMIT=${LIMIT:-1}
DURATION=${DURATION:-300}
HEALTH_DURATION=${HEALTH_DURATION:-5}
STRATEGY=${STRATEGY:-}
ENGINE=${ENGINE:-sqlite}
TAG=${TAG:-flash-sale-$ENGINE-${STRATEGY:-batched}}
OUT=${OUT:-bench/out/flash-sale}
PORT=${PORT:-18097}
ADMIN_EMAIL=admin@load.test
ADMIN_PASSWORD=load-admin-password

command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product emporium --scratch-path .build-release >&2
  BIN=$PWD/.build-release/release/emporium
fi
if [ -z "${LOAD:-}" ]; then
  swift build -c release --package-path Benchmarks --product emporium-load >&2
  LOAD=$(swift build -c release --package-path Benchmarks --show-bin-path)/emporium-load
fi
mkdir -p "$OUT"

db=()
if [ "$ENGINE" = postgres ]; then db=(--database-url "${EMPORIUM_TEST_POSTGRES_URL:?run through scripts/with-postgres}"); fi
DATA=$(mktemp -d)
SERVER=""
stop() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  SERVER=""
  rm -rf "$DATA"
}
trap stop EXIT INT TERM

# Signing up 10,000 shoppers is setup, not measured: bcrypt cost 4 keeps it to seconds.
export EMPORIUM_BCRYPT_COST=${BCRYPT_COST:-4}
"$BIN" admin create --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --data-dir "$DATA" "${db[@]}" --log-level warning >&2
env ${STRATEGY:+EMPORIUM_RESERVATION_STRATEGY=$STRATEGY} EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off \
  EMPORIUM_PAYMENT_LATENCY_MS=0 \
  "$BIN" serve --data-dir "$DATA" --port "$PORT" "${db[@]}" --log-level warning > "$OUT/$TAG.server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "node not ready" >&2; cat "$OUT/$TAG.server.log" >&2; exit 1; }
echo "== $TAG: node up (pid $SERVER); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

rc=0
"$LOAD" --url "http://127.0.0.1:$PORT" --scenario flash-sale --connections "$CONNECTIONS" --requests "$REQUESTS" \
  --duration "$DURATION" --users "$USERS" --sale-quantity "$QUANTITY" --sale-limit "$LIMIT" \
  --health-duration "$HEALTH_DURATION" --timeout 30 \
  --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" --json-out "$OUT/$TAG.json" \
  --audit-command "$(printf '%q ' "$BIN" audit --data-dir "$DATA" "${db[@]}")" | tee "$OUT/$TAG.txt" || rc=$?
echo "node RSS after the run: $(ps -o rss= -p "$SERVER" | awk '{printf "%d", $1 / 1024}') MiB" | tee -a "$OUT/$TAG.txt" >&2
exit "$rc"
