#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2089,SC2090  # (functions called from traps look unreachable; JSON in variables)
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
# access log and payment latency off, bcrypt cost 4 for the sign-ups), writes an nginx config into a temp
# dir and runs nginx in the foreground (`daemon off`), runs emporium-load against nginx with
# --audit-command, and with --crash watches the orders table to kill -9 a node, restarts it on the same
# port after CRASH_PAUSE, waits for /health/ready, and after the run waits until no order is
# pending_payment and no reservation is active (TTL + sweeper), then runs `emporium audit` again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
me=cluster.sh
log() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { log "error: $*"; exit 1; }

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
  SCENARIO=${SCENARIO:-flash-sale}
  REQUESTS=${REQUESTS:-5000}
  DURATION=${DURATION:-120}
  CONNECTIONS=${CONNECTIONS:-100}
  USERS=${USERS:-1000}
  QUANTITY=${QUANTITY:-200}
  HEALTH_DURATION=${HEALTH_DURATION:-2}
else
  SCENARIO=${SCENARIO:-flash-sale}
  REQUESTS=${REQUESTS:-100000}
  DURATION=${DURATION:-300}
  CONNECTIONS=${CONNECTIONS:-1000}
  USERS=${USERS:-10000}
  QUANTITY=${QUANTITY:-1000}
  HEALTH_DURATION=${HEALTH_DURATION:-5}
fi
LIMIT=${LIMIT:-1}
PRODUCTS=${PRODUCTS:-100}
STOCK=${STOCK:-}
STRATEGY=${STRATEGY:-}
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
TIMEOUT=${TIMEOUT:-45}
NODES=3
PORT=${PORT:-18180}
OUT=${OUT:-bench/out/cluster}
STRICT=${STRICT:-0}
ADMIN_EMAIL=admin@load.test
ADMIN_PASSWORD=load-admin-password
if [ -z "${TAG:-}" ]; then
  TAG=$SCENARIO-${STRATEGY:-default}
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
  if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
    [[ $(id -u) == 0 ]] || die "nginx is missing and we are not root: sudo apt-get install -y nginx"
    log "nginx not found; installing the Debian package (apt-get install -y nginx)"
    # Keep the package's postinst from starting its own nginx on :80.
    policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1; fi
    { apt-get -o DPkg::Lock::Timeout=300 update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends nginx
    } >&2 || rc=$?
    ((made_policy)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get install nginx failed (exit $rc)"
  fi
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
NODE_PIDS=()
NGINX_PID=
LOAD_PID=
TAIL_PID=

stop_pid() {   # pid, seconds to wait after TERM before KILL
  local pid=$1 wait=${2:-10} deadline
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + wait))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM HUP
  set +e
  stop_pid "$LOAD_PID" 5
  for i in "${!NODE_PIDS[@]}"; do stop_pid "${NODE_PIDS[$i]}" 15; done
  if [[ -n $NGINX_PID ]]; then
    [[ -f $WORK/nginx/error.log ]] && cp "$WORK/nginx/error.log" "$OUT/$TAG.nginx.log"
    stop_pid "$NGINX_PID" 5
  fi
  stop_pid "$TAIL_PID" 1
  rm -rf -- "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

sql() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$EMPORIUM_TEST_POSTGRES_URL" -c "$1"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Four free loopback ports: nginx, then the nodes.
for _ in $(seq 1 20); do
  busy=0
  for p in $(seq "$PORT" $((PORT + NODES))); do port_in_use "$p" && busy=1; done
  ((busy)) || break
  PORT=$((PORT + 10))
done
((busy == 0)) || die "no four free ports from ${PORT}"
PROXY_PORT=$PORT
node_port() { echo $((PORT + $1)); }

# ------------------------------------------------------------------- nodes ---
export EMPORIUM_DATABASE_URL=$EMPORIUM_TEST_POSTGRES_URL
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

start_node() {   # index
  local i=$1
  mkdir -p "$WORK/node$i"
  EMPORIUM_NODE_ID=node-$i "$BIN" serve --data-dir "$WORK/node$i" --port "$(node_port "$i")" \
    >>"$OUT/$TAG.node$i.log" 2>&1 &
  NODE_PIDS[i]=$!
}

wait_ready() {   # index, seconds; prints the seconds it took
  local i=$1 limit=$2 start=$SECONDS
  while ((SECONDS - start < limit)); do
    kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || { log "node $i exited while starting; its log:"; tail -n 30 "$OUT/$TAG.node$i.log" >&2; return 1; }
    curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$(node_port "$i")/health/ready" && { echo $((SECONDS - start)); return 0; }
    sleep 0.2
  done
  log "node $i not ready after ${limit}s; its log:"; tail -n 30 "$OUT/$TAG.node$i.log" >&2
  return 1
}

for i in $(seq 1 $NODES); do start_node "$i"; done
for i in $(seq 1 $NODES); do wait_ready "$i" 180 >/dev/null || exit 1; done
log "3 nodes ready on 127.0.0.1:$(node_port 1)-$(node_port $NODES) after $((SECONDS - T0)) s (PostgreSQL ${EMPORIUM_TEST_POSTGRES_URL##*@})"

# ------------------------------------------------------------------- nginx ---
mkdir -p "$WORK/nginx"
upstreams=$(for i in $(seq 1 $NODES); do printf '        server 127.0.0.1:%s max_fails=1 fail_timeout=2s;\n' "$(node_port "$i")"; done)
cat >"$WORK/nginx/nginx.conf" <<EOF
# Generated by bench/cluster.sh for one run; removed afterwards.
daemon off;
master_process on;
worker_processes 2;
worker_rlimit_nofile $NOFILE;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;

events {
    # Each client connection may hold an upstream connection too: 1,000 clients need about 2,000 per worker.
    worker_connections $((NOFILE / 2 < 16384 ? NOFILE / 2 : 16384));
    multi_accept on;
}

http {
    access_log off;
    client_body_temp_path $WORK/nginx/client_body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    client_max_body_size 10m;

    upstream emporium {
${upstreams}
        # Idle connections kept open to the nodes, per worker; HTTP/1.1 below, Connection header cleared.
        keepalive 256;
        keepalive_requests 1000000;
        keepalive_timeout 60s;
    }

    # A request is "keyed" when it carries an Idempotency-Key (checkout, pay, flash-sale purchase; any POST).
    map \$http_idempotency_key \$keyed {
        "" 0;
        default 1;
    }

    server {
        listen 127.0.0.1:$PROXY_PORT backlog=4096;

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        # Loopback: a connect that takes a second means the node is gone. Reads may take up to 30 s when a
        # node holds a request whose Idempotency-Key is claimed by a twin still running (or dead, see below).
        proxy_connect_timeout 1s;
        proxy_send_timeout 10s;
        proxy_read_timeout 60s;
        proxy_next_upstream_tries 3;
        proxy_next_upstream_timeout 90s;

        # When a node dies (kill -9), nginx sees a refused connect or a connection closed before the answer.
        # By default it moves a request to the next node only if that is safe to repeat: any GET, and a POST
        # that was never sent. A POST already sent may have done its work before the node died, so resending
        # it is only right when the work cannot happen twice: that holds for requests with an Idempotency-Key
        # (the key is claimed in the database, by a unique insert, before any work, so the resent request
        # replays the stored answer, or waits for the claim, or does the work once if the first never did),
        # and not for POSTs without one (adding to a cart would add twice; a refresh would reuse a rotated
        # refresh token). So "non_idempotent" applies to keyed requests only (location @keyed); the rest keep
        # nginx's default. Not http_502/503/504: a node's own 503 (overloaded, with Retry-After) is an answer.
        # A claim left by a request that died with its node is taken over only after 60 s
        # (IdempotencyStore.abandonAfterMillis), while a node waits 30 s for it before answering 409
        # idempotency_request_in_progress: the resent copies of the requests in flight at the kill get that 409.
        location / {
            error_page 418 = @keyed;
            if (\$keyed) {
                return 418;
            }
            proxy_next_upstream error timeout;
            proxy_pass http://emporium;
        }

        location @keyed {
            proxy_next_upstream error timeout non_idempotent;
            proxy_pass http://emporium;
        }
    }
}
EOF
"$NGINX" -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>&1 | grep -v 'could not open error log file' >&2 || true
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>>"$WORK/nginx/stderr.log" &
NGINX_PID=$!
for _ in $(seq 1 50); do curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PROXY_PORT/health/ready" && break; sleep 0.1; done
curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PROXY_PORT/health/ready" || {
  cat "$WORK/nginx/stderr.log" "$WORK/nginx/error.log" >&2 2>/dev/null; die "nginx did not come up on 127.0.0.1:$PROXY_PORT"; }
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') (pid $NGINX_PID) on 127.0.0.1:$PROXY_PORT in front of them"

URL=http://127.0.0.1:$PROXY_PORT

# checkout with STOCK: make LOAD-1..P with that stock first; emporium-load reuses them.
if [[ $SCENARIO == checkout && -n $STOCK ]]; then
  token=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "$URL/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])') || die "admin login failed"
  for p in $(seq 1 "$PRODUCTS"); do
    curl -fsS -o /dev/null --max-time 10 -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
      -d "{\"title\":\"Load Test Item $p\",\"description\":\"A product made by bench/cluster.sh.\",\"brand\":\"Loadco\",
           \"variants\":[{\"sku\":\"LOAD-$p\",\"price\":{\"amount\":1999,\"currency\":\"USD\"},\"stock\":$STOCK}]}" \
      "$URL/api/v1/admin/products" || die "creating LOAD-$p failed"
  done
  log "checkout: LOAD-1..LOAD-$PRODUCTS with $STOCK units each"
fi

# -------------------------------------------------------------------- load ---
load_args=(--url "$URL" --scenario "$SCENARIO" --connections "$CONNECTIONS" --duration "$DURATION"
  --users "$USERS" --health-duration "$HEALTH_DURATION" --timeout "$TIMEOUT"
  --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" --json-out "$OUT/$TAG.load.json"
  --audit-command "$(printf '%q ' "$BIN" audit --data-dir "$WORK/admin")")
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

crash_json=null
killed_node=
died_before=()
if ((CRASH)); then
  # Wait for the timed part to start (after sign-ups), then for CRASH_AT_ORDERS orders or CRASH_AFTER s.
  while kill -0 "$LOAD_PID" 2>/dev/null && ! grep -q '^setup done' "$OUT/$TAG.err"; do sleep 0.2; done
  grep -q '^setup done' "$OUT/$TAG.err" || { log "emporium-load ended during its setup: no crash"; CRASH=0; }
fi
if ((CRASH)); then
  run_start=$SECONDS
  # flash-sale: units sold, from the sale as the API shows it (emporium-load names the sale in its setup
  # line); otherwise, or if that fails, orders in the database.
  sale_id=$(sed -n 's/^flash-sale: sale \([^ ,]*\),.*/\1/p' "$OUT/$TAG.err" | head -n1)
  sold_so_far() {
    local remaining
    if [[ -n $sale_id ]]; then
      remaining=$(curl -fs --max-time 2 "$URL/api/v1/flash-sales/$sale_id" | grep -o '"remaining" *: *-\{0,1\}[0-9]*' |
        grep -o -- '-\{0,1\}[0-9]*$') && [[ -n $remaining ]] && { echo $((QUANTITY - remaining)); return; }
    fi
    sql "SELECT count(*) FROM orders" 2>/dev/null || echo 0
  }
  orders=0
  while kill -0 "$LOAD_PID" 2>/dev/null && ((SECONDS - run_start < CRASH_AFTER)); do
    orders=$(sold_so_far)
    ((orders >= CRASH_AT_ORDERS)) && break
    sleep 0.2
  done
  mid_run=false
  kill -0 "$LOAD_PID" 2>/dev/null && mid_run=true
  if [[ $CRASH_NODE == lease ]]; then
    holder=$(sql "SELECT owner FROM event_consumers WHERE owner LIKE 'node-%' GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1" 2>/dev/null) || holder=
    killed_node=${holder#node-}
    [[ $killed_node =~ ^[1-3]$ ]] || killed_node=1
  else
    killed_node=$CRASH_NODE
  fi
  at=$((SECONDS - run_start))
  log "kill -9 node $killed_node (pid ${NODE_PIDS[$killed_node]}) ${at}s into the run, at $orders orders$([[ $mid_run == true ]] || echo ' (AFTER the run ended)')"
  died_before=()
  for i in $(seq 1 $NODES); do kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || died_before+=("$i"); done
  ((${#died_before[@]} == 0)) || log "node(s) ${died_before[*]} had already died by themselves"
  kill -KILL "${NODE_PIDS[$killed_node]}" 2>/dev/null || true
  wait "${NODE_PIDS[$killed_node]}" 2>/dev/null || true
  sleep "$CRASH_PAUSE"
  echo "--- restarted by bench/cluster.sh after kill -9 ---" >>"$OUT/$TAG.node$killed_node.log"
  start_node "$killed_node"
  ready_after=$(wait_ready "$killed_node" 180) || exit 1
  log "node $killed_node restarted, ready ${ready_after}s after its start"
  crash_json="{\"node\": $killed_node, \"atSecond\": $at, \"atOrders\": $orders, \"pauseSeconds\": $CRASH_PAUSE, \"readyAfterSeconds\": $ready_after, \"midRun\": $mid_run}"
fi

load_rc=0
wait "$LOAD_PID" || load_rc=$?
LOAD_PID=
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=
load_end=$SECONDS
cat "$OUT/$TAG.txt"
((load_rc == 124 || load_rc == 137)) && log "emporium-load hit its ${cap}s cap and was stopped"

# Every node must still be up (the killed one restarted).
dead=("${died_before[@]}")
for i in $(seq 1 $NODES); do kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || dead+=("$i"); done
((${#dead[@]} == 0)) || log "node(s) ${dead[*]} died during the run"

# ------------------------------------------------------- expiry and audit ---
expiry_json=null
if ((CRASH)); then
  # Unpaid orders (flash-sale wins, orders whose pay died with the node) hold stock for RESERVATION s;
  # then a sweeper cancels them and the units return. Wait for that, then audit the settled store.
  # The deadline moves while expiry makes progress: tens of thousands of unpaid flash-sale orders take the
  # sweepers a while; what fails is no order expiring for 60 s once the TTL has passed.
  deadline=$((SECONDS + RESERVATION + 60))
  wait_start=$SECONDS
  last=-1
  previous=''
  while :; do
    pending=$(sql "SELECT count(*) FROM orders WHERE status = 'pending_payment'") || pending='?'
    active=$(sql "SELECT count(*) FROM reservations WHERE state = 'active'") || active='?'
    [[ $pending == 0 && $active == 0 ]] && break
    if [[ -n $previous && $pending != "$previous" && $pending != '?' ]]; then
      ((SECONDS + 60 > deadline)) && deadline=$((SECONDS + 60))
    fi
    previous=$pending
    ((SECONDS >= deadline)) && break
    if ((SECONDS - wait_start >= last + 10)); then
      last=$((SECONDS - wait_start))
      log "waiting for reservations to expire: $pending orders pending_payment, $active reservations active (TTL ${RESERVATION}s)"
    fi
    sleep 1
  done
  waited=$((SECONDS - wait_start))
  audit_rc=0
  audit_out=$("$BIN" audit --data-dir "$WORK/admin" 2>&1) || audit_rc=$?
  printf '%s\n' "$audit_out" | grep -E '^(audit|BREACH)|^ ' | head -n 20 >&2 || true
  cancelled=$(sql "SELECT count(*) FROM orders WHERE status = 'cancelled'") || cancelled=null
  sale_after=null   # flash-sale: the sale as the API shows it once the unpaid wins have expired
  sale_id=$(sed -n 's/^flash-sale: sale \([^ ,]*\),.*/\1/p' "$OUT/$TAG.err" | head -n1)
  if [[ -n $sale_id ]]; then
    sale_after=$(curl -fs --max-time 5 "$URL/api/v1/flash-sales/$sale_id") || sale_after=null
    python3 -c 'import json,sys; json.loads(sys.argv[1])' "$sale_after" 2>/dev/null || sale_after=null
  fi
  AUDIT_OUT=$audit_out
  export AUDIT_OUT
  expiry_json="{\"waitedSeconds\": $waited, \"pendingOrders\": \"$pending\", \"activeReservations\": \"$active\", \"cancelledOrders\": $cancelled, \"auditExitStatus\": $audit_rc, \"sale\": $sale_after}"
fi

# Checkout: units in orders that still hold or sold them, above what each SKU ever had (0 when correct).
oversold_sql=null
if [[ $SCENARIO == checkout ]]; then
  oversold_sql=$(sql "
    SELECT COALESCE(SUM(GREATEST(0, COALESCE(o.units, 0) - COALESCE(m.stocked, 0))), 0)
    FROM stock s
    LEFT JOIN (SELECT sku, SUM(CASE WHEN reason IN ('sale', 'restock') THEN 0 ELSE delta END) AS stocked
               FROM stock_movements GROUP BY sku) m ON m.sku = s.sku
    LEFT JOIN (SELECT i.sku, SUM(i.quantity) AS units FROM order_items i JOIN orders o ON o.id = i.order_id
               WHERE o.status <> 'cancelled' GROUP BY i.sku) o ON o.sku = s.sku") || oversold_sql=null
fi
orders_by_status=$(sql "SELECT COALESCE(json_object_agg(status, n), '{}') FROM (SELECT status, count(*) AS n FROM orders GROUP BY status) t") ||
  orders_by_status=null
upstream_errors=$(grep -c -E 'upstream|no live upstreams' "$WORK/nginx/error.log" 2>/dev/null) || upstream_errors=0

MACHINE="$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(free -h | awk '/^Mem:/ {print $2}') memory"
export MACHINE started_at load_before crash_json expiry_json oversold_sql upstream_errors load_rc orders_by_status
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/.*\///')
DEAD_NODES=$(printf '%s\n' "${dead[@]}" | sort -u | xargs)
export NGINX_VERSION DEAD_NODES
export TOTAL_SECONDS=$((SECONDS - T0)) LOAD_SECONDS=$((load_end - T0))
set +e
python3 - "$OUT/$TAG.load.json" "$OUT/$TAG.json" <<'PY'
import json, os, sys
load_path, out_path = sys.argv[1], sys.argv[2]
env = os.environ
load = json.load(open(load_path)) if os.path.exists(load_path) else None
crash = json.loads(env["crash_json"])
expiry = json.loads(env["expiry_json"])
scenario = env["SCENARIO"]
failures = []
load_rc = int(env["load_rc"])
if load is None:
    failures.append(f"emporium-load wrote no summary (exit {load_rc}); see {out_path[:-5]}.txt/.err")
elif load_rc not in (0,):
    failures.append({1: "emporium-load failed (setup, audit after the run, or oversold)",
                     3: "no operation succeeded", 124: "emporium-load hit its time cap"}.get(load_rc, f"emporium-load exit {load_rc}"))

summary = {
    "kind": "emporium-cluster", "scenario": scenario, "strategy": env["STRATEGY"] or "default",
    "nodes": 3, "proxy": "nginx " + env["NGINX_VERSION"], "database": "postgresql",
    "connections": int(env["CONNECTIONS"]), "requests": int(env["REQUESTS"]) or None,
    "durationLimitSeconds": float(env["DURATION"]), "users": int(env["USERS"]),
    "reservationSeconds": int(env["RESERVATION"]), "sweepIntervalMs": int(env["SWEEP_MS"]),
    "startedAt": env["started_at"], "machine": env["MACHINE"], "loadAverageBefore": env["load_before"],
    "ci": env["CI_MODE"] == "1", "crash": crash, "afterExpiry": expiry, "loadExitStatus": load_rc,
    "nginxUpstreamErrorLines": int(env["upstream_errors"] or 0),
    "ordersByStatusAtEnd": json.loads(env["orders_by_status"] or "null"),
    "seconds": {"toEndOfLoad": int(env["LOAD_SECONDS"]), "total": int(env["TOTAL_SECONDS"])},
}
if scenario == "flash-sale":
    summary["quantity"], summary["perCustomerLimit"] = int(env["QUANTITY"]), int(env["LIMIT"])
else:
    summary["products"], summary["stock"] = int(env["PRODUCTS"]), (int(env["STOCK"]) if env["STOCK"] else None)

main_op = {"flash-sale": "purchase", "checkout": "order"}[scenario]
oversold = None
if load:
    run = load["run"]
    answered = {}
    for counts in run["statuses"].values():
        for status, n in counts.items():
            answered[status] = answered.get(status, 0) + n
    errors = {}
    for kinds in run["transportErrors"].values():
        for kind, n in kinds.items():
            errors[kind] = errors.get(kind, 0) + n
    lat = run["latencyMs"].get(main_op) or {}
    summary.update({
        "answeredByStatus": dict(sorted(answered.items())), "unanswered": errors,
        "operations": run["operations"], "succeeded": run["succeeded"], "runSeconds": run["seconds"],
        "throughput": run["perSecond"], "throughputUnit": load["throughputUnit"],
        "operationsPerSecond": run["operations"] / run["seconds"] if run["seconds"] else 0,
        "latencyMs": {k: lat.get(k) for k in ("p50", "p90", "p99", "max")}, "latencyOperation": main_op,
        "healthPerSecond": (load.get("health") or {}).get("perSecond"), "ratioToHealth": load.get("ratioToHealth"),
        "outcomes": run["outcomes"],
    })
    audit = load.get("audit")
    summary["auditAfterRun"] = None if not audit else ("passed" if audit["exitStatus"] == 0 else "FAILED")
    if audit and audit["exitStatus"] != 0:
        failures.append("audit right after the run found breaches")
    if scenario == "flash-sale" and crash and run["seconds"] + 5 > int(env["RESERVATION"]):
        print(f"cluster.sh: warning: the run ({run['seconds']:.0f} s) was about as long as the reservation TTL "
              f"({env['RESERVATION']} s): unpaid wins may have expired and been sold again during it, which "
              "emporium-load's won-vs-quantity check would call oversold; raise RESERVATION", file=sys.stderr)
    if scenario == "flash-sale" and load.get("flashSale"):
        sale = load["flashSale"]
        oversold = max(0, sale["wonThisRun"] - sale["remainingBefore"], -sale["remaining"])
        summary["flashSale"] = sale
    if env["STRICT"] == "1":
        if errors:
            failures.append(f"{sum(errors.values())} requests got no HTTP answer")
        fivexx = sum(n for s, n in answered.items() if s.startswith("5") and s != "503")
        if fivexx:
            failures.append(f"{fivexx} answers were 5xx")
if env["oversold_sql"] != "null":
    oversold = max(oversold or 0, int(env["oversold_sql"]))
summary["oversold"] = oversold
if oversold:
    failures.append(f"OVERSOLD by {oversold} units")
if env["DEAD_NODES"]:
    failures.append(f"node(s) {env['DEAD_NODES']} died during the run")
missed = crash is not None and not crash["midRun"]
if missed:
    msg = "the kill came after the run had ended (raise REQUESTS or lower CRASH_AT_ORDERS/CRASH_AFTER)"
    failures.append(msg) if env["CI_MODE"] == "1" else print("cluster.sh: warning: " + msg, file=sys.stderr)
if expiry:
    out = env.get("AUDIT_OUT", "")
    summary["auditAfterExpiry"] = "passed" if expiry["auditExitStatus"] == 0 else "FAILED"
    summary["auditAfterExpiryOutput"] = [l for l in out.splitlines() if l.startswith(("audit", "BREACH", " "))][:50]
    if expiry["auditExitStatus"] != 0:
        failures.append("audit after the reservations expired found breaches")
    sale = expiry.get("sale")
    if isinstance(sale, dict) and "remaining" in sale:
        summary["saleRemainingAfterExpiry"] = sale["remaining"]
        if not 0 <= sale["remaining"] <= sale.get("quantity", sale["remaining"]):
            failures.append(f"after expiry the sale shows remaining {sale['remaining']} of {sale.get('quantity')}")
    if expiry["pendingOrders"] != "0" or expiry["activeReservations"] != "0":
        failures.append(f"after {expiry['waitedSeconds']} s, {expiry['pendingOrders']} orders still pending_payment and "
                        f"{expiry['activeReservations']} reservations active (TTL {env['RESERVATION']} s)")
summary["failures"] = failures
summary["passed"] = not failures
if load:
    summary["load"] = load
json.dump(summary, open(out_path, "w"), indent=2, sort_keys=True)

# The short report.
p = print
p("")
p(f"== cluster: {scenario}, 3 nodes behind nginx on PostgreSQL, strategy {summary['strategy']}, "
  f"{summary['connections']} connections, {summary['users']} users")
if crash:
    p(f"   crash: node {crash['node']} kill -9 at {crash['atSecond']} s into the run ({crash['atOrders']} orders), "
      f"restarted after {crash['pauseSeconds']} s, ready in {crash['readyAfterSeconds']} s"
      + ("" if crash["midRun"] else "  [AFTER the run ended]"))
if load:
    p(f"   answered by status: " + ", ".join(f"{k}: {v}" for k, v in summary["answeredByStatus"].items())
      + (f"; NO ANSWER: " + ", ".join(f"{k}: {v}" for k, v in errors.items()) if errors else "; every request got an HTTP answer"))
    proxy = {k: v for k, v in summary["answeredByStatus"].items() if k in ("502", "504") and v}
    if proxy:
        p("   (502/504 come from nginx: requests it could not move to another node, e.g. a POST without "
          "Idempotency-Key in flight on the killed node)")
    p(f"   {summary['operations']} operations in {summary['runSeconds']:.1f} s: {summary['operationsPerSecond']:.0f}/s; "
      f"{summary['throughput']:.0f} {summary['throughputUnit']}")
    l = summary["latencyMs"]
    if l.get("p50") is not None:
        p(f"   {main_op} latency ms: p50 {l['p50']:.1f}, p90 {l['p90']:.1f}, p99 {l['p99']:.1f}, max {l['max']:.1f}")
    if summary.get("healthPerSecond"):
        p(f"   /health/live through nginx {summary['healthPerSecond']:.0f} req/s; ratio {summary['ratioToHealth']:.3f}")
    if summary.get("flashSale"):
        s = summary["flashSale"]
        p(f"   sale: {s['wonThisRun']} won of {s['quantity']} units, remaining {s['remaining']} at the end of the run"
          + (f", {summary['saleRemainingAfterExpiry']} after the reservations expired" if "saleRemainingAfterExpiry" in summary else ""))
if summary["ordersByStatusAtEnd"]:
    p("   orders at the end: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["ordersByStatusAtEnd"].items())))
p(f"   oversold: {oversold if oversold is not None else 'unknown'}; nginx upstream error lines: {summary['nginxUpstreamErrorLines']}")
p(f"   audit after the run: {summary.get('auditAfterRun')}"
  + (f"; after expiry ({expiry['waitedSeconds']} s wait, {expiry['cancelledOrders']} orders cancelled): "
     f"{summary['auditAfterExpiry']}" if expiry else ""))
p(f"   {'PASSED' if not failures else 'FAILED: ' + '; '.join(failures)}  ({summary['seconds']['total']} s in all; {out_path})")
sys.exit(0 if not failures else 4 if missed and len(failures) == 1 else 1)
PY
verdict=$?
set -e
if ((verdict != 0)); then
  ((load_rc == 3)) && exit 3
  ((load_rc == 124 || load_rc == 137)) && exit 124
fi
exit "$verdict"
