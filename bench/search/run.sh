#!/usr/bin/env bash
# Search benchmark (issue 4): emporium's engine vs tantivy vs SQLite FTS5, same catalog, same queries.
#
#   bench/search/run.sh                          # 1,000,000 synthetic products, 5 timed runs a query
#   PRODUCTS=20000 REPEAT=3 bench/search/run.sh  # a quick one
#
# Knobs (environment):
#   PRODUCTS=1000000   catalog size (emporium seed --synthetic $PRODUCTS --seed 1)
#   REPEAT=5           timed runs of each query, after one warm-up pass
#   OUT=bench/out/search   catalog.jsonl (reused while PRODUCTS and the generator sources are the same),
#                      queries.json, one JSON per engine
#   ENGINES="ours tantivy fts5"   which engines to run
#   SKIP_BUILD=1       use the existing binary instead of building it (BIN=path picks another one)
#   RESULTS=bench/RESULTS.md      where the "## Search (issue 4)" section goes
#   PYTHON=python3
#
# Builds the release binary, seeds and exports the catalog (or reuses $OUT/catalog.jsonl), builds the
# query set, runs each engine in its own process, one after the other, and prints the report.
# See bench/search/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

PRODUCTS=${PRODUCTS:-1000000}
REPEAT=${REPEAT:-5}
OUT=${OUT:-bench/out/search}
ENGINES=${ENGINES:-ours tantivy fts5}
SKIP_BUILD=${SKIP_BUILD:-0}
RESULTS=${RESULTS:-bench/RESULTS.md}
PYTHON=${PYTHON:-python3}
BIN=${BIN:-.build-release/release/emporium}
HERE=bench/search

say() { echo "== $*" >&2; }
die() { echo "bench/search: $*" >&2; exit 1; }

[[ "$PRODUCTS" =~ ^[1-9][0-9]*$ ]] || die "PRODUCTS must be a positive integer (got '$PRODUCTS')"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive integer (got '$REPEAT')"
for engine in $ENGINES; do
  case "$engine" in ours|tantivy|fts5) ;; *) die "unknown engine '$engine' in ENGINES (ours, tantivy, fts5)";; esac
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/search-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
START=$(date +%s)

# --- Python side: tantivy from PyPI (pinned), sqlite3 with FTS5 -----------------------------------
want_tantivy=$(sed -n 's/^tantivy==//p' "$HERE/requirements.txt")
if ! "$PYTHON" -c 'import sys, importlib.metadata as m; sys.exit(m.version("tantivy") != sys.argv[1])' "$want_tantivy" 2>/dev/null; then
  say "installing tantivy==$want_tantivy with pip"
  "$PYTHON" -m pip install --quiet -r "$HERE/requirements.txt" >&2
fi
"$PYTHON" -c 'import sqlite3; sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")' \
  || die "this Python's sqlite3 has no FTS5"

# --- The release binary ---------------------------------------------------------------------------
if [ "$SKIP_BUILD" != 1 ]; then
  say "building the release binary (.build-release)"
  swift build -c release --product emporium --scratch-path .build-release >&2
fi
[ -x "$BIN" ] || die "$BIN is missing (build it, or unset SKIP_BUILD)"

# --- Catalog: seeded with the project's generator, exported as JSONL, reused while PRODUCTS is the same
CATALOG="$OUT/catalog.jsonl"
# The catalog is kept for the same PRODUCTS and the same generator and export code.
generator=$(cat Sources/Emporium/Catalog/Seed/*.swift Sources/Emporium/Catalog/CatalogSeeder.swift \
  Sources/Emporium/Catalog/CatalogModels.swift Sources/Emporium/Catalog/ProductQueries.swift 2>/dev/null \
  | sha256sum | cut -c1-16)
META="products=$PRODUCTS seed=1 generator=$generator"
fresh_catalog=0
if [ -s "$CATALOG" ] && [ "$(cat "$OUT/catalog.meta" 2>/dev/null)" = "$META" ]; then
  say "reusing $CATALOG ($META)"
else
  rm -f "$CATALOG" "$OUT/catalog.meta"
  fresh_catalog=1
  say "seeding $PRODUCTS synthetic products (a minute or two for a million)"
  "$BIN" seed --synthetic "$PRODUCTS" --seed 1 --data-dir "$WORK/data" --log-level warning >&2
  say "exporting to $CATALOG"
  "$BIN" export --jsonl "$CATALOG.tmp" --data-dir "$WORK/data" --log-level warning >&2
  lines=$(wc -l < "$CATALOG.tmp")
  [ "$lines" -eq "$PRODUCTS" ] || die "export wrote $lines products, expected $PRODUCTS"
  mv "$CATALOG.tmp" "$CATALOG"
  echo "$META" > "$OUT/catalog.meta"
  rm -rf "$WORK/data"
fi

# --- Queries ----------------------------------------------------------------------------------------
"$PYTHON" "$HERE/queries.py" "$CATALOG" "$OUT/queries.json"

# --- Engines, one process each, one after the other -------------------------------------------------
failed=0
# Results of engines not run this time are kept only while the catalog is the same one.
if [ "$fresh_catalog" = 1 ]; then rm -f "$OUT"/{ours,tantivy,fts5}.{json,status}; fi
for engine in $ENGINES; do
  rm -f "$OUT/$engine.json" "$OUT/$engine.status"
done
for engine in $ENGINES; do
  t0=$(date +%s)
  case "$engine" in
    ours)
      help=$("$BIN" --help 2>&1 || true)
      if ! grep -Eq '^[[:space:]]+search-bench([[:space:]]|$)' <<< "$help"; then
        msg="emporium has no search-bench subcommand yet: skipped"
        say "$msg"
        echo "$msg" > "$OUT/ours.status"
        continue
      fi
      say "emporium search-bench"
      rc=0
      "$BIN" search-bench --jsonl "$CATALOG" --queries "$OUT/queries.json" --out "$OUT/ours.json" \
        --repeat "$REPEAT" 2> "$WORK/ours.err" >&2 || rc=$?
      if [ "$rc" -ne 0 ]; then
        cat "$WORK/ours.err" >&2
        if grep -qiE 'usage:|unexpected argument|unknown option' "$WORK/ours.err"; then
          msg="emporium search-bench: usage error (exit $rc), the subcommand is missing or takes other flags: skipped"
        else
          msg="emporium search-bench failed (exit $rc): $(tail -n 1 "$WORK/ours.err")"
          failed=1
        fi
        say "$msg"
        echo "$msg" > "$OUT/ours.status"
        rm -f "$OUT/ours.json"
        continue
      fi
      cat "$WORK/ours.err" >&2
      ;;
    tantivy|fts5)
      say "$engine"
      mkdir -p "$WORK/$engine"
      if ! "$PYTHON" "$HERE/engines.py" "$engine" --jsonl "$CATALOG" --queries "$OUT/queries.json" \
             --out "$OUT/$engine.json" --work "$WORK/$engine" --repeat "$REPEAT"; then
        echo "$engine failed" > "$OUT/$engine.status"
        failed=1
      fi
      rm -rf "${WORK:?}/$engine"
      ;;
  esac
  say "$engine took $(( $(date +%s) - t0 )) s"
done

# --- Report -------------------------------------------------------------------------------------------
command="bench/search/run.sh"
[ "$REPEAT" = 5 ] || command="REPEAT=$REPEAT $command"
[ "$PRODUCTS" = 1000000 ] || command="PRODUCTS=$PRODUCTS $command"
"$PYTHON" "$HERE/report.py" --out "$OUT" --products "$PRODUCTS" --repeat "$REPEAT" \
  --command "$command" --results "$RESULTS"
say "done in $(( $(date +%s) - START )) s; raw results in $OUT"
exit "$failed"
