#!/usr/bin/env bash
# Parser throughput: the 1.17 MB OAI-PMH capture and a 2,000-entry API response, parsed by papers
# (quick-xml, streaming) and, in the same run on the same bytes, by Python's feedparser and lxml.
# Each round runs the three back to back; the ratios compare parsers of the same round.
# Prints a Markdown table for BENCHMARKS.md. ROUNDS=3 by default.
#
#   bench/parse.sh [CORPUS]
#
# CORPUS (default ../shared/data/arxiv-2025-2026.jsonl.gz) supplies the 2,000 real papers of the
# API response (bench/make_api_response.py). Needs: pip install feedparser lxml
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/data/arxiv-2025-2026.jsonl.gz}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -c 'import feedparser, lxml' 2>/dev/null || {
  echo "bench/parse.sh needs feedparser and lxml: pip install feedparser lxml" >&2; exit 1; }
oai="$PWD/tests/fixtures/arxiv/oai/ListRecords_arXivRaw_2016-10-20.xml"
api="$work/api-2000.xml"
python3 bench/make_api_response.py "$corpus" 2000 "$api"
cargo bench --locked -q -p papers-crawler --bench parse --no-run >&2

papers() { cargo bench --locked -q -p papers-crawler --bench parse -- "$1" "$2" "$3"; }
python() { python3 bench/parse_python.py "$1" "$2" "$3" "$4"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

rounds="${ROUNDS:-3}"
echo "| round | input | parser | entries | MB/s | entries/s | papers is faster by |"
echo "|---|---|---|---:|---:|---:|---:|"
for round in $(seq "$rounds"); do
  for input in "oai:$oai:200" "api:$api:20"; do
    IFS=: read -r kind file iterations <<<"$input"
    ours="$(papers "$kind" "$file" "$iterations")"
    ours_secs="$(field "$ours" median_secs)"
    name="$( [ "$kind" = oai ] && echo "OAI-PMH arXivRaw, 1.17 MB" || echo "API, 2,000 entries" )"
    echo "| $round | $name | papers | $(field "$ours" entries) | $(field "$ours" mb_per_s) | $(field "$ours" entries_per_s) | |"
    for lib in feedparser lxml; do
      # feedparser is slow: fewer iterations keep the run short; the median is still stable.
      n=$([ "$lib" = feedparser ] && echo 5 || echo "$iterations")
      theirs="$(python "$lib" "$kind" "$file" "$n")"
      ratio="$(python3 -c "print(f'{$(field "$theirs" median_secs) / $ours_secs:.0f}x')")"
      echo "| $round | $name | $lib | $(field "$theirs" entries) | $(field "$theirs" mb_per_s) | $(field "$theirs" entries_per_s) | **$ratio** |"
    done
  done
done
