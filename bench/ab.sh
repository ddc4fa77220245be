#!/usr/bin/env bash
# Interleaved A/B of two builds: the checkout and the one-node flash sale, on SQLite and on PostgreSQL, build A
# then build B, ROUNDS times, in one invocation; then the medians and the B ÷ A ratios (bench/ab_report.py).
# The machine is shared and noisy, so only ratios within one invocation mean anything.
#
#   A=/path/to/old/emporium B=/path/to/new/emporium bench/ab.sh
#   ROUNDS=3 BENCHES="checkout-sqlite flash-sqlite" A=... B=... bench/ab.sh
#
# Environment: A, B (release `emporium` binaries; required), LOAD (emporium-load; unset: release build),
# ROUNDS [2], BENCHES [checkout-sqlite checkout-postgres flash-sqlite flash-postgres], OUT [bench/out/ab],
# PG_TRANSPORT (checkout-postgres: `socket`, the default, or `tcp`; `checkout-postgres-tcp` is always tcp, for builds
# older than the socket URL),
# FLASH_REQUESTS [20000], FLASH_QUANTITY [1000], FLASH_LIMIT [1]. Checkout runs are short (DURATION=15 USERS=300
# HEALTH_DURATION=3, 64 connections); flash sales have USERS=5000 CONNECTIONS=500. Every run ends with
# `emporium audit`.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${A:?A=<emporium binary of the baseline>}" "${B:?B=<emporium binary of the change>}"
ROUNDS=${ROUNDS:-2}
BENCHES=${BENCHES:-checkout-sqlite checkout-postgres flash-sqlite flash-postgres}
OUT=${OUT:-bench/out/ab}
FLASH="REQUESTS=${FLASH_REQUESTS:-20000} QUANTITY=${FLASH_QUANTITY:-1000} LIMIT=${FLASH_LIMIT:-1} USERS=5000"
FLASH="$FLASH CONNECTIONS=500 HEALTH_DURATION=3"
if [ -z "${LOAD:-}" ]; then
  swift build -c release --package-path Benchmarks --product emporium-load >&2
  LOAD=$(swift build -c release --package-path Benchmarks --show-bin-path)/emporium-load
fi
export LOAD
rm -rf "$OUT"
mkdir -p "$OUT"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/machine.txt"

status=0
for round in $(seq 1 "$ROUNDS"); do
  for bench in $BENCHES; do
    for side in A B; do
      bin=${!side}
      dir="$OUT/$bench/$side-$round"
      mkdir -p "$dir"
      echo "== round $round, $bench, build $side ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
      # shellcheck disable=SC2086  # $FLASH is a list of VAR=value words
      case $bench in
        checkout-sqlite)
          BIN=$bin OUT=$dir DURATION=15 USERS=300 HEALTH_DURATION=3 bench/checkout.sh --engine sqlite ;;
        checkout-postgres)
          BIN=$bin OUT=$dir DURATION=15 USERS=300 HEALTH_DURATION=3 \
            scripts/with-postgres bench/checkout.sh --engine postgres ;;
        checkout-postgres-tcp)
          PG_TRANSPORT=tcp BIN=$bin OUT=$dir DURATION=15 USERS=300 HEALTH_DURATION=3 \
            scripts/with-postgres bench/checkout.sh --engine postgres ;;
        flash-sqlite)
          env BIN="$bin" OUT="$dir" TAG=run $FLASH bench/flash-sale.sh ;;
        flash-postgres)
          env BIN="$bin" OUT="$dir" TAG=run ENGINE=postgres $FLASH scripts/with-postgres bench/flash-sale.sh ;;
        *) echo "unknown benchmark $bench" >&2; exit 2 ;;
      esac > "$dir/log.txt" 2>&1 || { status=1; echo "   failed: see $dir/log.txt" >&2; }
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
python3 bench/ab_report.py "$OUT"
exit "$status"
