#!/usr/bin/env bash
# Web: requests/s and latency of the real server under wrk (64 connections, client and server
# sharing this machine's cores), on the full shared corpus with its LSA vectors, and the server's
# resident memory. Each route is compared with /robots.txt measured in the same run: a constant
# answer through the same middleware, i.e. what this server and machine can do at most.
#
#   bench/web.sh [CORPUS] [SECONDS]
#
# Defaults: ../shared/data/arxiv-2025-2026.jsonl.gz, 20 s per route. The corpus is imported and
# indexed once into $PAPERS_BENCH_DIR (default /tmp/papers-bench-web); later runs reuse it.
# Needs wrk (Debian package `wrk`). Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(realpath "${1:-../shared/data/arxiv-2025-2026.jsonl.gz}")"
seconds="${2:-20}"
data="${PAPERS_BENCH_DIR:-/tmp/papers-bench-web}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

source bench/lib.sh
papers="$(release_papers)"
export PAPERS_DATA_DIR="$data"
unset PAPERS_DATABASE_URL
if [ ! -f "$data/.imported" ]; then
  mkdir -p "$data"
  "$papers" import "$corpus" >&2
  touch "$data/.imported"
fi
"$papers" index >&2

# Request lists: the remembered queries as searches, their target papers as pages.
work="$(mktemp -d)"
python3 - "$work" <<'PY'
import json, sys, urllib.parse
rows = [json.loads(l) for l in open("bench/queries/remembered.jsonl")]
with open(f"{sys.argv[1]}/search", "w") as f:
    for r in rows:
        f.write("/search?q=" + urllib.parse.quote_plus(r["query"]) + "\n")
with open(f"{sys.argv[1]}/paper", "w") as f:
    for r in rows:
        f.write(f"/arxiv/{r['id']}\n")
PY
echo "/robots.txt" >"$work/baseline"
echo "/arxiv/cs.LG" >"$work/listing"
echo "/arxiv/cs.LG/feed" >"$work/feed"
echo "/api/search?q=low-rank+adaptation" >"$work/api_search"

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
port=18080
echo "| page cache | route | requests/s | vs /robots.txt | p50 ms | p99 ms | errors | server RSS after, MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
# Each server twice: as configured by default (rendered pages kept 10 s), and with the page cache
# off, so every request renders anew from the Store and the index.
for cache in 10 0; do
# The rate limit is for the internet; here one client address is the whole load.
PAPERS_PAGE_CACHE_SECS=$cache PAPERS_RATE_LIMIT=0 PAPERS_ADDR="127.0.0.1:$port" "$papers" serve >/dev/null 2>"$data/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_healthy $port
base=""
for name in baseline listing search paper feed api_search; do
  wrk_measure $port "$work/$name" "$seconds"
  rps="$RPS" p50="$P50" p99="$P99" errors="$ERRORS"
  [ -z "$base" ] && base="$rps"
  ratio="$(python3 -c "print(f'{$rps/$base:.2f}')")"
  ms() { python3 -c "
v='$1'
for unit, f in (('us', 0.001), ('ms', 1), ('s', 1000)):
    if v.endswith(unit) and (unit != 's' or not v.endswith(('ms','us'))):
        print(f'{float(v[:-len(unit)])*f:.2f}'); break"; }
  echo "| ${cache} s | $(head -1 "$work/$name" | cut -c1-40)$([ "$(wc -l <"$work/$name")" -gt 1 ] && echo " (×$(wc -l <"$work/$name"))") | $rps | $ratio | $(ms "$p50") | $(ms "$p99") | $errors | $(( $(rss_kb) / 1024 )) |"
done
health="$(curl -s "http://127.0.0.1:$port/healthz")"
echo "| ${cache} s | server peak RSS: $(( $(awk '/VmHWM/ {print $2}' "/proc/$server/status") / 1024 )) MB | | | | | | |"
kill $server; wait $server 2>/dev/null || true
done
echo
echo "$(date -u +%F), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); the server held: $health"
