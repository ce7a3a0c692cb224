#!/usr/bin/env bash
# Venues: (1) importing a curated venue list of 20,000 papers (the 2,526 stored sample papers, to
# match by title and first author, and 17,474 known only at the venue) against importing the same
# 20,000 papers as plain arXiv records, in the same run; (2) the venue pages and feed under wrk
# against /robots.txt on the same server in the same run.
#
#   bench/venues.sh [SECONDS]
#
# The bundled demo sample (2,526 papers, whose comments claim 394 venues) is imported and indexed
# into $PAPERS_BENCH_DIR (default /tmp/papers-bench-venues); the list is made from it and from the
# shared corpus (../shared/data/arxiv-2025-2026.jsonl.gz). Needs wrk. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
data="${PAPERS_BENCH_DIR:-/tmp/papers-bench-venues}"
corpus="${PAPERS_CORPUS:-../shared/data/arxiv-2025-2026.jsonl.gz}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

source bench/lib.sh
papers="$(release_papers)"
unset PAPERS_DATABASE_URL PAPERS_LLM_BASE_URL
rm -rf "$data" && mkdir -p "$data"
work="$(mktemp -d)"

# The list: every sample paper (matched by title and first author; no arXiv id given) and as many
# corpus papers outside the sample (stored as venue-only papers), in groups.
python3 - "$corpus" "$work" <<'EOF'
import gzip, json, sys
corpus, work = sys.argv[1], sys.argv[2]
sample = [json.loads(l) for l in gzip.open("demo/arxiv-sample.jsonl.gz", "rt")]
ids = {p["id"] for p in sample}
others = []
for line in gzip.open(corpus, "rt"):
    p = json.loads(line)
    if p["id"] not in ids:
        others.append(p)
    if len(sample) + len(others) == 20000:
        break
groups = ["Oral", "Spotlight", "Poster", "Poster", "Poster"]
with open(f"{work}/list.jsonl", "w") as out:
    for n, p in enumerate(sample + others):
        out.write(json.dumps({"title": p["title"], "authors": p["authors"], "abstract": p["abstract"],
                              "venue": "BENCH", "year": 2026, "group": groups[n % 5]}) + "\n")
with open(f"{work}/arxiv.jsonl", "w") as out:
    for p in sample + others:
        out.write(json.dumps(p) + "\n")
EOF
records="$(wc -l <"$work/list.jsonl")"

timed() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.3f}')"; }
# Baseline: the same papers as arXiv records, into an empty database.
base_s="$(timed env PAPERS_DATA_DIR="$work/baseline" "$papers" import "$work/arxiv.jsonl")"
export PAPERS_DATA_DIR="$data"
"$papers" import demo/arxiv-sample.jsonl.gz >&2
"$papers" index >&2
list_s="$(timed "$papers" venues import jsonl "$work/list.jsonl")"
again_s="$(timed "$papers" venues import jsonl "$work/list.jsonl")"
"$papers" index >&2
echo "| import of $records papers | seconds | papers/s | vs plain import |"
echo "|---|---:|---:|---:|"
for row in "plain arXiv records (papers import, empty database):$base_s" \
           "curated venue list, first time (papers venues import jsonl):$list_s" \
           "the same list again (nothing changes):$again_s"; do
  name="${row%:*}"; s="${row##*:}"
  echo "| $name | $s | $(python3 -c "print(f'{$records/$s:,.0f}')") | $(python3 -c "print(f'{$base_s/$s:.2f}')") |"
done
echo

mkdir "$work/paths"
echo "/robots.txt" >"$work/paths/baseline"
echo "/venue" >"$work/paths/index"
echo "/venue/ICML.2026" >"$work/paths/edition"
echo "/venue/BENCH.2026?group=Poster&skip=100" >"$work/paths/group"
echo "/venue/ICML.2026/feed" >"$work/paths/feed"
port=18082
for cache in 10 0; do
  PAPERS_PAGE_CACHE_SECS=$cache PAPERS_RATE_LIMIT=0 PAPERS_ADDR="127.0.0.1:$port" "$papers" serve >/dev/null 2>"$data/serve.log" &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  wait_healthy $port
  echo "Page cache $([ $cache = 0 ] && echo off || echo "on (${cache} s)"):"
  echo
  echo "| route | requests/s | vs /robots.txt | p50 ms | p99 ms | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  base=""
  for name in baseline index edition group feed; do
    path="$(head -1 "$work/paths/$name")"
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")"
    [ "$code" = 200 ] || { echo "$path answered $code" >&2; exit 1; }
    wrk_measure $port "$work/paths/$name" "$seconds"
    [ -z "$base" ] && base="$RPS"
    echo "| \`$path\` | $RPS | $(ratio "$RPS" "$base") | $P50 | $P99 | $ERRORS |"
  done
  kill $server; wait $server 2>/dev/null || true
  echo
done
echo "$(date -u +%F), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
