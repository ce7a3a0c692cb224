#!/usr/bin/env bash
# Import benchmark: the shared corpus into SQLite and into PostgreSQL, then the same file again.
# Prints a Markdown table for BENCHMARKS.md. Each round is a pair run back to back on the same
# machine state: a first import into an empty database (the baseline) and a re-import of the same
# file, whose speed-up over that baseline is the figure that matters. ROUNDS=3 by default.
#
#   bench/import.sh [CORPUS] [POSTGRES_ADMIN_URL]
#
# Defaults: ../shared/data/arxiv-2025-2026.jsonl.gz and postgres://postgres@127.0.0.1:5432/test
# (the script creates and drops its own database, papers_bench, through that URL).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/data/arxiv-2025-2026.jsonl.gz}"
admin_url="${2:-postgres://postgres@127.0.0.1:5432/test}"
bench_db="papers_bench"
pg_url="${admin_url%/*}/${bench_db}"

cargo build --release --locked --bin papers >&2
bin="${CARGO_TARGET_DIR:-target}/release/papers"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# run LABEL ARGS…: one import under /usr/bin/time; prints "| label | papers/s | seconds | peak MB |".
run() {
  local label="$1"; shift
  /usr/bin/time -v "$bin" --log-format text "$@" import "$corpus" >"$work/out" 2>"$work/err" || {
    cat "$work/err" >&2; exit 1; }
  local summary rate secs rss
  summary="$(grep '^imported' "$work/out")"
  rate="$(sed -E 's/.*\(([0-9]+) papers\/s\).*/\1/' <<<"$summary")"
  secs="$(sed -E 's/.* in ([0-9.]+)s .*/\1/' <<<"$summary")"
  rss="$(awk '/Maximum resident set size/ {printf "%.0f", $6/1024}' "$work/err")"
  echo "| $label | $rate | $secs | $rss |"
  echo "$summary" >&2
}

# pair LABEL SETUP ARGS…: a first import into an empty database, then the same file again;
# prints both rows and the re-import's speed-up over the first import of the same pair.
pair() {
  local label="$1" setup="$2"; shift 2
  "$setup"
  local first again
  first="$(run "$label, first import" "$@")"
  again="$(run "$label, re-import (nothing to write)" "$@")"
  echo "$first"
  echo "$again"
  awk -F'|' -v a="$first" -v b="$again" -v l="$label" 'BEGIN {
    split(a, x, "|"); split(b, y, "|");
    printf "| %s, re-import speed-up over first | **%.1fx** | | |\n", l, y[3] / x[3] }'
}

fresh_sqlite() { rm -rf "$work/sqlite"; }
fresh_postgres() {
  psql "$admin_url" -q -c "DROP DATABASE IF EXISTS $bench_db" -c "CREATE DATABASE $bench_db" >&2
}

rounds="${ROUNDS:-3}"
echo "| run | papers/s | seconds | peak RSS (MB) |"
echo "|---|---:|---:|---:|"
for round in $(seq "$rounds"); do
  pair "SQLite (round $round)" fresh_sqlite --data-dir "$work/sqlite"
done
for round in $(seq "$rounds"); do
  pair "PostgreSQL (round $round)" fresh_postgres --database-url "$pg_url"
done
psql "$admin_url" -q -c "DROP DATABASE IF EXISTS $bench_db" >&2
