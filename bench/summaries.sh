#!/usr/bin/env bash
# Summaries: (1) a cached FAQ through HTTP under wrk — the API's JSON and the paper page that shows
# it — against /robots.txt on the same server in the same run; (2) the queue's throughput with
# the mock provider and the local model's tokens/s (`cargo bench --bench summaries`).
#
#   bench/summaries.sh [SECONDS]
#
# The bundled demo sample (2,526 papers) is imported and indexed into $PAPERS_BENCH_DIR (default
# /tmp/papers-bench-summaries), and the attention topic's 100 newest papers summarised
# (extractive: the cached answer's size, not its author, is what HTTP serves). Needs wrk.
# Prints Markdown for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
data="${PAPERS_BENCH_DIR:-/tmp/papers-bench-summaries}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

source bench/lib.sh
papers="$(release_papers)"
export PAPERS_DATA_DIR="$data"
unset PAPERS_DATABASE_URL PAPERS_LLM_BASE_URL
if [ ! -f "$data/.imported" ]; then
  mkdir -p "$data"
  "$papers" import demo/arxiv-sample.jsonl.gz >&2
  "$papers" index >&2
  touch "$data/.imported"
fi
PAPERS_LLM_PROVIDER=extractive "$papers" summarize --topic attention --limit 100 --json >"$data/summarize.json"

work="$(mktemp -d)"
"$papers" topic attention --limit 100 --json | python3 -c "
import json, sys
ids = [json.loads(l)['id'] for l in sys.stdin if l.strip()]
open('$work/api', 'w').write(''.join(f'/api/summaries/{i}?lang=en\n' for i in ids))
open('$work/page', 'w').write(''.join(f'/arxiv/{i}\n' for i in ids))
"
echo "/robots.txt" >"$work/baseline"

port=18081
PAPERS_LLM_PROVIDER=extractive PAPERS_RATE_LIMIT=0 PAPERS_ADDR="127.0.0.1:$port" "$papers" serve >/dev/null 2>"$data/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_healthy $port
size="$(curl -s "http://127.0.0.1:$port$(head -1 "$work/api")" | wc -c)"
echo "| route | requests/s | vs /robots.txt | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|---:|"
base=""
for name in baseline api page; do
  wrk_measure $port "$work/$name" "$seconds"
  [ -z "$base" ] && base="$RPS"
  echo "| $(head -1 "$work/$name")$([ "$(wc -l <"$work/$name")" -gt 1 ] && echo " (×$(wc -l <"$work/$name"))") | $RPS | $(ratio "$RPS" "$base") | $P50 | $P99 | $ERRORS |"
done
kill $server; wait $server 2>/dev/null || true
echo
echo "A cached FAQ's JSON is $size bytes. $(date -u +%F), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo
cargo bench --locked -q --bench summaries 2>/dev/null
