#!/usr/bin/env bash
# shellcheck disable=SC2089,SC2090  # (JSON in variables)
# Several nodes (issue 7): three `emporium serve` nodes on one throwaway PostgreSQL behind nginx, all on
# 127.0.0.1, a scenario of emporium-load through nginx, optionally one node killed (-9) in the middle of
# the run, then the audit. Stops everything it started on every exit path.
#
#   bench/cluster.sh                      # flash-sale, full size: 100,000 attempts, 10,000 users, 1,000 conns
#   bench/cluster.sh --crash              # the same, one node killed mid-sale and restarted, audit after expiry
#   bench/cluster.sh --ci                 # the CI smoke test: 5,000 attempts, 200 units, one node killed
#   SCENARIO=checkout REQUESTS=2000 USERS=200 CONNECTIONS=32 bench/cluster.sh --crash
#
# Options: --crash (or CRASH=1), --ci (small sizes + --crash, SCENARIO=flash-sale unless set), --help.
# Environment (defaults in brackets; --ci defaults after the slash):
#   SCENARIO       flash-sale or checkout                                   [flash-sale]
#   REQUESTS       operations (purchase attempts / orders) to run          [100000 / 5000]
#   DURATION       upper bound of the timed part, seconds                  [300 / 120]
#   CONNECTIONS    concurrent client connections to nginx                  [1000 / 100]
#   USERS          distinct shoppers signed up before the run              [10000 / 1000]
#   QUANTITY LIMIT flash-sale: units in the sale, per-customer limit       [1000 1 / 200 1]
#   PRODUCTS STOCK checkout: SKUs LOAD-1..P and units of each (STOCK unset: emporium-load's 1,000,000,
#                  which never runs out; set it to make the SKUs sell out) [100, unset]
#   STRATEGY       EMPORIUM_RESERVATION_STRATEGY on the nodes: batched, conditional, row-lock  [server's]
#   RESERVATION    reservation TTL in seconds (EMPORIUM_RESERVATION_SECONDS and
#                  EMPORIUM_FLASH_RESERVATION_SECONDS)                      [900; --crash: 120 / 60]
#   SWEEP_MS       EMPORIUM_SWEEP_INTERVAL_MS                               [1000; --crash: 500]
#   CRASH_NODE     node to kill: 1-3, or "lease" for the one holding most event-consumer leases  [lease]
#   CRASH_AT_ORDERS kill once this many orders exist (flash-sale: units sold)  [flash-sale: QUANTITY/2;
#                  checkout: half of REQUESTS, or of PRODUCTS x STOCK when smaller]
#   CRASH_AFTER    ... or once the timed part has run this many seconds, whichever first [DURATION/2, <= 20]
#   CRASH_PAUSE    seconds between the kill and the restart [2]
#   TIMEOUT        seconds a client waits for one answer [45: above the 30 s a node holds a request whose
#                  Idempotency-Key is still claimed by a request that died with the killed node]
#   HEALTH_DURATION seconds of GET /health/live after the run, through nginx [5 / 2]
#   BIN, LOAD      emporium and emporium-load binaries; unset: release builds, as bench/checkout.sh
#   OUT            output directory [bench/out/cluster]; PORT first of 4 loopback ports [18180]
#   TAG            name of this run's files [<scenario>-<strategy or "default">[-crash]]
#   NODES          nodes behind nginx (1 for the one-node baseline of the same path)  [3]
#   PG_TRANSPORT   how the nodes reach PostgreSQL: tcp (127.0.0.1, as nodes on other machines would) or
#                  socket (its unix socket, as nodes on the database's machine would)  [tcp]
#   STRICT=1       also fail when a request got no HTTP answer, or a 5xx other than 503 (off: counted and
#                  reported only)
#
# Output in $OUT, named TAG = <scenario>-<strategy or "default">[-crash]: TAG.load.json (emporium-load's summary),
# TAG.json (this run: the load summary plus crash, oversold, audits, timings; read by bench/plot.py),
# TAG.txt (emporium-load's report), TAG.node<i>.log, TAG.nginx.log.
# Exit status: 0 passed; 1 oversold, audit breach, a node died, reservations did not expire, setup failed;
# 2 usage; 3 no operation succeeded; 4 (--ci) the kill came after the run; 124 the load hit its time cap.
#
# How: scripts/with-postgres starts PostgreSQL (fsync off) and runs this script again with --inner, which
# creates the admin, starts the nodes (shared EMPORIUM_JWT_SECRET, EMPORIUM_NODE_ID=node-<i>, rate limit,
# access log and payment latency off, bcrypt cost 4 for the sign-ups), fills bench/nginx-cluster.conf.template
# into a temp dir and runs nginx in the foreground (`daemon off`), runs emporium-load against nginx with
# --audit-command (`emporium audit`), and with --crash watches the orders to kill -9 a node, restarts it on
# the same port after CRASH_PAUSE, waits for /health/ready, and after the run waits until no order is
# pending_payment and no reservation is active (TTL + sweeper), then runs `emporium audit` again. Oversold
# units: flash-sale, emporium-load's won-vs-quantity; checkout, 0 when the last `emporium audit` passed.
# bench/cluster_report.py decides and writes TAG.json; the functions are in bench/lib/cluster-common.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
me=cluster.sh
# shellcheck source-path=SCRIPTDIR source=lib/cluster-common.sh
source bench/lib/cluster-common.sh

INNER=0
CI_MODE=0
CRASH=${CRASH:-0}
for arg in "$@"; do
  case $arg in
    --crash) CRASH=1 ;;
    --ci) CI_MODE=1; CRASH=1 ;;
    --inner) INNER=1 ;;
    -h | --help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) log "unknown argument $arg (--crash, --ci, --help)"; exit 2 ;;
  esac
done
[[ $CRASH == 1 || $CRASH == true ]] && CRASH=1 || CRASH=0

# ------------------------------------------------------------------ settings ---
if ((CI_MODE)); then
  SCENARIO=${SCENARIO:-flash-sale} REQUESTS=${REQUESTS:-5000} DURATION=${DURATION:-120}
  CONNECTIONS=${CONNECTIONS:-100} USERS=${USERS:-1000} QUANTITY=${QUANTITY:-200} HEALTH_DURATION=${HEALTH_DURATION:-2}
else
  SCENARIO=${SCENARIO:-flash-sale} REQUESTS=${REQUESTS:-100000} DURATION=${DURATION:-300}
  CONNECTIONS=${CONNECTIONS:-1000} USERS=${USERS:-10000} QUANTITY=${QUANTITY:-1000} HEALTH_DURATION=${HEALTH_DURATION:-5}
fi
LIMIT=${LIMIT:-1} PRODUCTS=${PRODUCTS:-100} STOCK=${STOCK:-} STRATEGY=${STRATEGY:-}
if ((CRASH)); then
  # Long enough to outlast the run (a flash sale's unpaid wins must not come back during it), short enough
  # to wait for afterwards.
  RESERVATION=${RESERVATION:-$( ((CI_MODE)) && echo 60 || echo 120)}
  SWEEP_MS=${SWEEP_MS:-500}
else
  RESERVATION=${RESERVATION:-900}
  SWEEP_MS=${SWEEP_MS:-1000}
fi
CRASH_NODE=${CRASH_NODE:-lease}
CRASH_PAUSE=${CRASH_PAUSE:-2}
if [[ $SCENARIO == flash-sale ]]; then
  CRASH_AT_ORDERS=${CRASH_AT_ORDERS:-$(((QUANTITY + 1) / 2))}
else
  units=$REQUESTS   # orders that can be made: one per operation, or all the stock when STOCK is set
  ((units > 0)) || units=2000000000   # no request bound: CRASH_AFTER decides
  [[ -n $STOCK ]] && ((PRODUCTS * STOCK < units)) && units=$((PRODUCTS * STOCK))
  CRASH_AT_ORDERS=${CRASH_AT_ORDERS:-$(((units + 1) / 2))}
fi
half=$((${DURATION%.*} / 2))
CRASH_AFTER=${CRASH_AFTER:-$((half < 20 ? half : 20))}
TIMEOUT=${TIMEOUT:-45} NODES=${NODES:-3} PORT=${PORT:-18180} OUT=${OUT:-bench/out/cluster} STRICT=${STRICT:-0}
ADMIN_EMAIL=admin@load.test
ADMIN_PASSWORD=load-admin-password
if [ -z "${TAG:-}" ]; then
  TAG=$SCENARIO-${STRATEGY:-default}
  ((NODES != 3)) && TAG+=-${NODES}node
  ((CRASH)) && TAG+=-crash
fi

case $SCENARIO in checkout | flash-sale) ;; *) log "SCENARIO must be checkout or flash-sale, not $SCENARIO"; exit 2 ;; esac
for v in REQUESTS CONNECTIONS USERS QUANTITY LIMIT PRODUCTS RESERVATION SWEEP_MS CRASH_AT_ORDERS CRASH_PAUSE \
         CRASH_AFTER TIMEOUT PORT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { log "$v must be a whole number, got '${!v}'"; exit 2; }
done
[[ -z $STOCK || $STOCK =~ ^[0-9]+$ ]] || { log "STOCK must be a whole number"; exit 2; }
[[ $DURATION =~ ^[0-9]+(\.[0-9]+)?$ ]] || { log "DURATION must be a number of seconds"; exit 2; }
[[ $CRASH_NODE =~ ^(lease|[1-3])$ ]] || { log "CRASH_NODE must be 1, 2, 3 or lease"; exit 2; }

export SCENARIO REQUESTS DURATION CONNECTIONS USERS QUANTITY LIMIT PRODUCTS STOCK STRATEGY RESERVATION SWEEP_MS \
  CRASH CRASH_NODE CRASH_PAUSE CRASH_AT_ORDERS CRASH_AFTER TIMEOUT HEALTH_DURATION PORT OUT STRICT CI_MODE TAG

# =================================================================== outer ===
if ((!INNER)); then
  command -v curl >/dev/null || die "curl is missing: apt-get install -y curl"
  command -v python3 >/dev/null || die "python3 is missing"
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || install_nginx
  if [[ -z ${BIN:-} ]]; then
    swift build -c release --product emporium --scratch-path .build-release >&2
    BIN=$PWD/.build-release/release/emporium
  fi
  if [[ -z ${LOAD:-} ]]; then
    swift build -c release --package-path Benchmarks --product emporium-load >&2
    LOAD=$(swift build -c release --package-path Benchmarks --show-bin-path)/emporium-load
  fi
  [[ -x $BIN ]] || die "BIN=$BIN is not an executable"
  [[ -x $LOAD ]] || die "LOAD=$LOAD is not an executable"
  BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
  LOAD=$(cd "$(dirname "$LOAD")" && pwd)/$(basename "$LOAD")
  export BIN LOAD
  mkdir -p "$OUT"
  rm -f "$OUT/$TAG".*
  exec scripts/with-postgres "$0" --inner "$@"
fi

# =================================================================== inner ===
: "${EMPORIUM_TEST_POSTGRES_URL:?run through scripts/with-postgres (bench/cluster.sh does)}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PSQL=$(command -v psql) || PSQL=$(find /usr/lib/postgresql/*/bin -name psql 2>/dev/null | sort | tail -n1) || true
[[ -x $PSQL ]] || die "psql not found"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # 1,000 connections through nginx and the nodes
NOFILE=$(ulimit -n)
[[ $NOFILE =~ ^[0-9]+$ ]] || NOFILE=65536
((NOFILE > 65536)) && NOFILE=65536
((NOFILE / 2 >= 2 * CONNECTIONS + 100)) ||
  log "warning: open files limit $NOFILE is low for $CONNECTIONS connections through nginx (ulimit -Hn)"

started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/emporium-cluster.XXXXXX")
chmod 755 "$WORK"   # nginx workers (user nobody) must reach their temp dirs in here
NODE_PIDS=() NGINX_PID='' LOAD_PID='' TAIL_PID=''
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
find_ports   # PORT: nginx; PORT+1..PORT+3: the nodes

# ------------------------------------------------------------------- nodes ---
if [[ ${PG_TRANSPORT:-tcp} == socket ]]; then
  export EMPORIUM_DATABASE_URL=$EMPORIUM_TEST_POSTGRES_SOCKET_URL
else
  export EMPORIUM_DATABASE_URL=$EMPORIUM_TEST_POSTGRES_URL
fi
EMPORIUM_JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export EMPORIUM_JWT_SECRET
export EMPORIUM_TRUST_FORWARDED_FOR=true EMPORIUM_RATE_LIMIT=0 EMPORIUM_ACCESS_LOG=off EMPORIUM_PAYMENT_LATENCY_MS=0
export EMPORIUM_BCRYPT_COST=4 EMPORIUM_LOG_LEVEL=warning
export EMPORIUM_RESERVATION_SECONDS=$RESERVATION EMPORIUM_FLASH_RESERVATION_SECONDS=$RESERVATION
export EMPORIUM_SWEEP_INTERVAL_MS=$SWEEP_MS
[[ -n $STRATEGY ]] && export EMPORIUM_RESERVATION_STRATEGY=$STRATEGY

mkdir -p "$WORK/admin"
"$BIN" admin create --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --data-dir "$WORK/admin" >&2 ||
  die "emporium admin create failed"
AUDIT=("$BIN" audit --data-dir "$WORK/admin")   # exit 1 and one BREACH line each when an invariant is broken

for i in $(seq 1 $NODES); do start_node "$i"; done
for i in $(seq 1 $NODES); do wait_ready "$i" 180 >/dev/null || exit 1; done
log "$NODES nodes ready on 127.0.0.1:$(node_port 1)-$(node_port $NODES) after $((SECONDS - T0)) s (PostgreSQL ${EMPORIUM_TEST_POSTGRES_URL##*@})"

# ------------------------------------------------------------------- nginx ---
start_nginx
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/.*\///')
log "nginx $NGINX_VERSION (pid $NGINX_PID) on 127.0.0.1:$PORT in front of them"
URL=http://127.0.0.1:$PORT
[[ $SCENARIO == checkout && -n $STOCK ]] && make_stock

# -------------------------------------------------------------------- load ---
load_args=(--url "$URL" --scenario "$SCENARIO" --connections "$CONNECTIONS" --duration "$DURATION"
  --users "$USERS" --health-duration "$HEALTH_DURATION" --timeout "$TIMEOUT"
  --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" --json-out "$OUT/$TAG.load.json"
  --audit-command "$(printf '%q ' "${AUDIT[@]}")")
((REQUESTS > 0)) && load_args+=(--requests "$REQUESTS")
if [[ $SCENARIO == flash-sale ]]; then
  load_args+=(--sale-quantity "$QUANTITY" --sale-limit "$LIMIT")
else
  load_args+=(--products "$PRODUCTS")
fi
# A hard cap on the whole load process (setup, run, health, audit), so the script always ends.
cap=$((${DURATION%.*} + ${HEALTH_DURATION%.*} + TIMEOUT + 600))
log "emporium-load ${load_args[*]:0:14} ... (at most ${cap}s)"
: >"$OUT/$TAG.err"
timeout -k 10 "$cap" "$LOAD" "${load_args[@]}" >"$OUT/$TAG.txt" 2>"$OUT/$TAG.err" &
LOAD_PID=$!
tail -n +1 -f --pid="$LOAD_PID" "$OUT/$TAG.err" >&2 &
TAIL_PID=$!

crash_json=null died_before=()
if ((CRASH)); then
  # Wait for the timed part to start (after sign-ups), then for CRASH_AT_ORDERS orders or CRASH_AFTER s.
  while kill -0 "$LOAD_PID" 2>/dev/null && ! grep -q '^setup done' "$OUT/$TAG.err"; do sleep 0.2; done
  grep -q '^setup done' "$OUT/$TAG.err" || { log "emporium-load ended during its setup: no crash"; CRASH=0; }
fi
((CRASH)) && crash_mid_run   # sets crash_json, died_before

load_rc=0
wait "$LOAD_PID" || load_rc=$?
LOAD_PID=
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=
load_end=$SECONDS
cat "$OUT/$TAG.txt"
((load_rc == 124 || load_rc == 137)) && log "emporium-load hit its ${cap}s cap and was stopped"

# Each node's database statements and transactions by operation, for the statements per order (issue 21).
for i in $(seq 1 $NODES); do
  curl -fs --max-time 5 "http://127.0.0.1:$(node_port "$i")/metrics" 2>/dev/null |
    grep -E '^emporium_db_(statements|transactions)_total' >"$OUT/$TAG.node$i.metrics" || true
done

# Every node must still be up (the killed one restarted).
dead=("${died_before[@]}")
for i in $(seq 1 $NODES); do kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || dead+=("$i"); done
((${#dead[@]} == 0)) || log "node(s) ${dead[*]} died during the run"

# ------------------------------------------------------- expiry and audit ---
# emporium-load ran `emporium audit` right after the run (its summary has the result). With --crash, wait
# for the unpaid orders to expire and audit the settled store again.
expiry_json=null
report_args=()
if ((CRASH)); then
  wait_start=$SECONDS
  wait_for_expiry
  waited=$((SECONDS - wait_start))
  audit_rc=0
  "${AUDIT[@]}" >"$WORK/audit.txt" 2>&1 || audit_rc=$?
  grep -E '^(audit|BREACH)|^ ' "$WORK/audit.txt" | head -n 20 >&2 || true
  cancelled=$(sql "SELECT count(*) FROM orders WHERE status = 'cancelled'") || cancelled=null
  sale_after=null   # flash-sale: the sale as the API shows it once the unpaid wins have expired
  sale_id=$(find_sale_id)
  if [[ -n $sale_id ]]; then
    sale_after=$(curl -fs --max-time 5 "$URL/api/v1/flash-sales/$sale_id") || sale_after=null
    python3 -c 'import json,sys; json.loads(sys.argv[1])' "$sale_after" 2>/dev/null || sale_after=null
  fi
  expiry_json="{\"waitedSeconds\": $waited, \"pendingOrders\": \"$pending\", \"activeReservations\": \"$active\", \"cancelledOrders\": $cancelled, \"auditExitStatus\": $audit_rc, \"sale\": $sale_after}"
  report_args+=(--audit-output "$WORK/audit.txt")
fi

orders_by_status=$(sql "SELECT COALESCE(json_object_agg(status, n), '{}') FROM (SELECT status, count(*) AS n FROM orders GROUP BY status) t") ||
  orders_by_status=null
upstream_errors=$(grep -c -E 'upstream|no live upstreams' "$WORK/nginx/error.log" 2>/dev/null) || upstream_errors=0
MACHINE="$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(free -h | awk '/^Mem:/ {print $2}') memory"
((CI_MODE)) && report_args+=(--ci)
[[ $STRICT == 1 ]] && report_args+=(--strict)
set +e
python3 bench/cluster_report.py "$OUT/$TAG.load.json" "$OUT/$TAG.json" "${report_args[@]}" \
  --scenario "$SCENARIO" --strategy "$STRATEGY" --connections "$CONNECTIONS" --requests "$REQUESTS" \
  --duration "$DURATION" --users "$USERS" --reservation "$RESERVATION" --sweep-ms "$SWEEP_MS" \
  --quantity "$QUANTITY" --limit "$LIMIT" --products "$PRODUCTS" --stock "$STOCK" \
  --started-at "$started_at" --machine "$MACHINE" --load-before "$load_before" --nginx-version "$NGINX_VERSION" \
  --crash "$crash_json" --expiry "$expiry_json" --load-exit "$load_rc" --upstream-errors "$upstream_errors" \
  --orders-by-status "$orders_by_status" --dead-nodes "$(printf '%s\n' "${dead[@]}" | sort -u | xargs)" \
  --load-seconds $((load_end - T0)) --total-seconds $((SECONDS - T0))
verdict=$?
set -e
if ((verdict != 0)); then
  ((load_rc == 3)) && exit 3
  ((load_rc == 124 || load_rc == 137)) && exit 124
fi
exit "$verdict"
