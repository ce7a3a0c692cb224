#!/usr/bin/env bash
# Load: minutes of mixed traffic against one server on the full shared corpus — pages, papers,
# searches, feeds, venue pages and the JSON API, round robin — in consecutive windows, with the
# server's resident memory read after each (flat memory is the point), errors counted, and p99
# reported. Baseline: /robots.txt on the same server in the same run.
#
#   bench/load.sh [CORPUS] [WINDOWS] [SECONDS_PER_WINDOW]
#
# Defaults: ../shared/data/arxiv-2025-2026.jsonl.gz, 4 windows of 45 s. The corpus is imported and
# indexed once into $PAPERS_BENCH_DIR (default /tmp/papers-bench-load). Needs wrk. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(realpath "${1:-../shared/data/arxiv-2025-2026.jsonl.gz}")"
windows="${2:-4}"
seconds="${3:-45}"
data="${PAPERS_BENCH_DIR:-/tmp/papers-bench-load}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

source bench/lib.sh
papers="$(release_papers)"
export PAPERS_DATA_DIR="$data"
unset PAPERS_DATABASE_URL PAPERS_LLM_BASE_URL
if [ ! -f "$data/.imported" ]; then
  mkdir -p "$data"
  "$papers" import "$corpus" >&2
  touch "$data/.imported"
fi
"$papers" index >&2

port=18083
PAPERS_RATE_LIMIT=0 PAPERS_ADDR="127.0.0.1:$port" "$papers" serve >/dev/null 2>"$data/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_healthy $port

# The mix: what a morning's readers ask for. Every path is checked to answer 200 first.
work="$(mktemp -d)"
python3 - "$work" "$port" <<'PY'
import json, sys, urllib.parse, urllib.request
work, port = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
rows = [json.loads(l) for l in open("bench/queries/remembered.jsonl")]
days = json.load(urllib.request.urlopen(f"{base}/api/arxiv/cs.LG"))
day = days.get("date")
paths = ["/", f"/arxiv/cs.LG?date={day}", f"/arxiv/cs.CL,cs.AI?date={day}", "/arxiv/cs.LG/feed",
         "/topic/attention", "/topic/diffusion/feed", "/venue", "/venue/ICML.2026",
         f"/api/arxiv/cs.LG?date={day}", "/api/topics/low-rank"]
for r in rows[:150]:
    paths.append(f"/arxiv/{r['id']}")
    paths.append("/search?q=" + urllib.parse.quote_plus(r["query"]))
for r in rows[150:200]:
    paths.append("/api/search?q=" + urllib.parse.quote_plus(r["query"]))
    paths.append(f"/api/related/{r['id']}")
good = []
for p in paths:
    try:
        if urllib.request.urlopen(base + p).status == 200:
            good.append(p)
    except Exception as e:
        print(f"left out {p}: {e}", file=sys.stderr)
open(f"{work}/mix", "w").write("".join(p + "\n" for p in good))
open(f"{work}/baseline", "w").write("/robots.txt\n")
print(len(good), file=open(f"{work}/count", "w"))
PY
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$server/status"; }

measure() { # name, paths file, seconds: one row, no warm-up (the windows show it)
  wrk_measure $port "$2" "$3" 0
  echo "| $1 | $RPS | $P50 | $P99 | $ERRORS | $(rss) |"
}

echo "Server resident memory before any request: $(rss) MB. Mix: $(cat "$work/count") paths."
echo
echo "| window | requests/s | p50 | p99 | errors | RSS after (MB) |"
echo "|---|---:|---:|---:|---:|---:|"
measure "/robots.txt (baseline, 15 s)" "$work/baseline" 15
for w in $(seq "$windows"); do
  measure "mix, window $w of $windows (${seconds} s)" "$work/mix" "$seconds"
done
measure "/robots.txt again (15 s)" "$work/baseline" 15
echo
echo "$(date -u +%F), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
