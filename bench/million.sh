#!/usr/bin/env bash
# A million papers: the same measurements on the shared corpus (~75k real papers: the baseline)
# and on a synthetic corpus of N papers resampled from it (bench/million.py), in one run:
#   - `papers import` (time, papers/s, peak RSS);
#   - the index: BM25 from scratch (`PAPERS_EMBEDDER=none papers index --rebuild`), then the LSA
#     vectors (`PAPERS_EMBEDDER=lsa papers index`: train on a sample, embed every paper, export
#     the vectors file), each with its time and peak RSS;
#   - disk per part (database, full-text index, vectors file, LSA model);
#   - the server (`papers serve`, page cache and rate limit off, so every request is real work):
#     time to load, then `/api/search` over the remembered queries and over long title queries,
#     and `/api/related/{id}` over ids nobody asked before, each with one connection (the latency
#     of a request on an otherwise idle server) and with 64 (the machine saturated, as
#     bench/lib.sh's wrk_measure does), and its memory (VmRSS, VmHWM, RssAnon/RssFile) at start
#     and after the load.
#
#   CARGO_TARGET_DIR=/work/target-release bench/million.sh [N] [SECONDS]
#
# Defaults: N = 1,000,000, 20 s per measurement (after a 3 s warm-up for searches; none for
# related papers, whose answers the server caches). Scratch space: $PAPERS_BENCH_DIR (default
# /tmp/papers-million; about 8 GB at 1M). The synthetic corpus is kept there and reused when the
# same N and seed ask for it again; the databases are made anew each run. Needs wrk. Prints
# Markdown for BENCHMARKS.md (also written to $PAPERS_BENCH_DIR/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
seconds="${2:-20}"
seed="${SEED:-1}"
real="$(realpath "${REAL_CORPUS:-../shared/data/arxiv-2025-2026.jsonl.gz}")"
scratch="${PAPERS_BENCH_DIR:-/tmp/papers-million}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
mkdir -p "$scratch"
results="$scratch/results.md"
: >"$results"
log() { echo "[$(date -u +%T)] $*" >&2; }

source bench/lib.sh
papers="$(realpath "$(release_papers)")"
unset PAPERS_DATABASE_URL PAPERS_LLM_BASE_URL PAPERS_CONFIG
export PAPERS_LOG_FORMAT=text

# The synthetic corpus, and every 50th of its ids for related-paper requests.
synthetic="$scratch/million-$n-seed$seed.jsonl.gz"
if [ ! -s "$synthetic" ] || [ ! -s "$synthetic.ids" ]; then
  log "generating $n papers"
  python3 bench/million.py --corpus "$real" --out "$synthetic.part" -n "$n" --seed "$seed" \
    --ids "$synthetic.ids" --ids-every 50 2> >(tee "$scratch/generate.log" >&2)
  mv "$synthetic.part" "$synthetic"
fi
generated="$(grep '^wrote' "$scratch/generate.log" 2>/dev/null || echo "(reused $synthetic)")"

# Request lists shared by both corpora: the remembered queries (short, as a person recalls a
# paper) and every 150th real title (long queries: an OR of ten or more words).
work="$(mktemp -d)"
python3 - "$work" "$real" <<'PY'
import gzip, json, sys, urllib.parse
work, real = sys.argv[1:]
with open(f"{work}/remembered", "w") as f:
    for line in open("bench/queries/remembered.jsonl"):
        f.write("/api/search?q=" + urllib.parse.quote_plus(json.loads(line)["query"]) + "\n")
ids = []
with gzip.open(real, "rt") as src, open(f"{work}/titles", "w") as f:
    for i, line in enumerate(src):
        r = json.loads(line)
        if i % 150 == 0:
            f.write("/api/search?q=" + urllib.parse.quote_plus(" ".join(r["title"].split())) + "\n")
        if i % 3 == 0:
            ids.append(r["id"])
open(f"{work}/real.ids", "w").write("".join(i + "\n" for i in ids))
PY

# wrk_at CONNECTIONS PATHS_FILE SECONDS WARMUP: as lib.sh's wrk_measure (same paths.lua, same
# parsing), but with the number of connections as a parameter and a 60 s timeout instead of
# wrk's 2 s, so that a slow answer is measured rather than counted as an error.
wrk_at() {
  local url="http://127.0.0.1:$port" threads=$(( $1 < 2 ? $1 : 2 )) out
  if [ "$4" != 0 ]; then
    wrk -t"$threads" -c"$1" -d"$4s" --timeout 60s -s bench/wrk/paths.lua "$url" -- "$2" >/dev/null
  fi
  out="$(wrk -t"$threads" -c"$1" -d"$3s" --timeout 60s --latency -s bench/wrk/paths.lua "$url" -- "$2")"
  RPS="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  P50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  P99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  REQS="$(awk '/requests in/ {print $1}' <<<"$out")"
  ERRORS="$(awk '/Non-2xx|Socket errors/ {s=s $0 "; "} END {print (s=="" ? "0" : s)}' <<<"$out")"
}

# timed NAME COMMAND…: runs one command under /usr/bin/time -v; sets WALL (s) and PEAK (MB) and
# keeps its stdout in $data/NAME.out.
timed() {
  local name="$1"; shift
  /usr/bin/time -v "$@" >"$data/$name.out" 2>"$data/$name.err" || {
    tail -20 "$data/$name.err" >&2; echo "$name failed" >&2; exit 1; }
  WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; printf "%.1f", s}' "$data/$name.err")"
  PEAK="$(awk '/Maximum resident set size/ {printf "%.0f", $6/1024}' "$data/$name.err")"
}

mb() { du -sbc "$@" 2>/dev/null | awk 'END {printf "%.0f", $1/1e6}'; }
status_mb() { awk -v k="$1:" '$1==k {printf "%.0f", $2/1024}' "/proc/$server/status"; }
memory() { echo "VmRSS $(status_mb VmRSS) MB (anon $(status_mb RssAnon), file $(status_mb RssFile)), VmHWM $(status_mb VmHWM) MB"; }
ms() { python3 -c "
v='$1'
for unit, f in (('us', 0.001), ('ms', 1), ('s', 1000), ('m', 60000)):
    if v.endswith(unit) and not (unit == 's' and v.endswith(('ms', 'us'))) and not (unit == 'm' and v.endswith('ms')):
        print(f'{float(v[:-len(unit)])*f:.1f}'); break"; }

port=18090
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# One corpus, start to end. Rows go to $work/NAME.rows (one "key<TAB>value" per line).
run() {
  local name="$1" corpus="$2" ids="$3"
  data="$scratch/$name"
  rm -rf "$data"; mkdir -p "$data"
  export PAPERS_DATA_DIR="$data"
  local rows="$work/$name.rows"
  : >"$rows"
  row() { printf '%s\t%s\n' "$1" "$2" >>"$rows"; }

  # The machine is shared: the load average before each step says how much it was.
  row load_import "$(cut -d' ' -f1 /proc/loadavg)"
  log "$name: import"
  timed import "$papers" import "$corpus"
  local summary; summary="$(grep '^imported' "$data/import.out")"
  row papers "$(sed -E 's/.*: ([0-9]+) new.*/\1/' <<<"$summary")"
  row import "$WALL s, $(sed -E 's/.*\(([0-9]+) papers\/s\).*/\1/' <<<"$summary") papers/s, peak $PEAK MB"
  log "$summary"

  row load_bm25 "$(cut -d' ' -f1 /proc/loadavg)"
  log "$name: BM25 index from scratch"
  PAPERS_EMBEDDER=none timed bm25 "$papers" index --rebuild --json
  row bm25 "$WALL s, peak $PEAK MB"
  log "$(cat "$data/bm25.out")"

  row load_lsa "$(cut -d' ' -f1 /proc/loadavg)"
  log "$name: LSA vectors (train, embed, export)"
  PAPERS_EMBEDDER=lsa timed lsa "$papers" index --json
  row lsa "$WALL s, peak $PEAK MB"
  log "$(cat "$data/lsa.out")"

  row disk_db "$(mb "$data"/papers.db*)"
  row disk_index "$(du -sb --exclude=vectors "$data/index" | awk '{printf "%.0f", $1/1e6}')"
  row disk_vectors "$(mb "$data/index/vectors")"
  row disk_model "$(mb "$data/models")"
  row disk_total "$(mb "$data")"

  log "$name: serve"
  local started; started="$(date +%s.%N)"
  # One client address is the whole load here: no rate limit, no cap on its connections.
  PAPERS_EMBEDDER=lsa PAPERS_PAGE_CACHE_SECS=0 PAPERS_RATE_LIMIT=0 PAPERS_MAX_CONNECTIONS_PER_CLIENT=0 \
    PAPERS_ADDR="127.0.0.1:$port" "$papers" serve >/dev/null 2>"$data/serve.log" &
  server=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { tail "$data/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  row start "$(python3 -c "import time; print(f'{time.time() - $started:.1f}')") s"
  row rss_start "$(memory)"
  row hybrid "$(curl -s "http://127.0.0.1:$port/api/search?q=low-rank+adaptation" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["hybrid"], r["total"])')"

  # Related ids: the odd-numbered ones for one connection, the even for 64, so the second run
  # meets no answer the first one cached.
  awk 'NR % 2 == 1' "$ids" | sed 's|^|/api/related/|' >"$work/$name.related1"
  awk 'NR % 2 == 0' "$ids" | sed 's|^|/api/related/|' >"$work/$name.related64"
  local spec
  for spec in "remembered remembered 1 3" "remembered remembered 64 3" "titles titles 1 3" \
      "titles titles 64 3" "related $name.related1 1 0" "related $name.related64 64 0"; do
    set -- $spec
    log "$name: $1, $3 connection(s), load average $(cut -d' ' -f1 /proc/loadavg)"
    wrk_at "$3" "$work/$2" "$seconds" "$4"
    row "wrk_$1_$3" "$RPS|$(ms "$P50")|$(ms "$P99")|$REQS|$ERRORS"
  done
  row rss_after "$(memory)"
  row load_serve "$(cut -d' ' -f1 /proc/loadavg)"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
}

run real "$real" "$work/real.ids"
run million "$synthetic" "$synthetic.ids"

# The report: each figure for the real corpus (baseline), the synthetic one, and their ratio.
python3 - "$work/real.rows" "$work/million.rows" >>"$results" <<'PY'
import re, sys
def rows(path):
    return dict(line.rstrip("\n").split("\t", 1) for line in open(path))
a, b = rows(sys.argv[1]), rows(sys.argv[2])
num = lambda s: float(re.match(r"[\d.]+", s).group())
def ratio(x, y):
    try:
        return f"{num(y) / num(x):.1f}x"
    except (ValueError, ZeroDivisionError, AttributeError):
        return ""
print(f"| measured | real corpus ({int(a['papers']):,} papers, baseline) | synthetic ({int(b['papers']):,} papers) | synthetic / real |")
print("|---|---|---|---:|")
print(f"| papers | {int(a['papers']):,} | {int(b['papers']):,} | {ratio(a['papers'], b['papers'])} |")
for key, label in (("import", "`papers import`"), ("bm25", "BM25 index from scratch"),
                   ("lsa", "LSA vectors: train, embed every paper, export"), ("start", "server start (until /healthz)")):
    print(f"| {label} | {a[key]} | {b[key]} | {ratio(a[key], b[key])} |")
for key, label in (("disk_db", "disk: database (SQLite, with the stored vectors)"), ("disk_index", "disk: full-text index"),
                   ("disk_vectors", "disk: vectors file (f32, loaded at start)"), ("disk_model", "disk: LSA model"),
                   ("disk_total", "disk: data dir in all")):
    print(f"| {label} | {a[key]} MB | {b[key]} MB | {ratio(a[key], b[key])} |")
print(f"| load average (1 min) before import / BM25 / LSA, and after the requests | {a['load_import']} / {a['load_bm25']} / {a['load_lsa']}, {a['load_serve']} | {b['load_import']} / {b['load_bm25']} / {b['load_lsa']}, {b['load_serve']} | |")
print(f"| search is hybrid; hits for `low-rank adaptation` | {a['hybrid']} | {b['hybrid']} | |")
print(f"| server memory at start | {a['rss_start']} | {b['rss_start']} | {ratio(a['rss_start'], b['rss_start'])} |")
print(f"| server memory after the load | {a['rss_after']} | {b['rss_after']} | {ratio(a['rss_after'], b['rss_after'])} |")
print()
print("| requests | connections | corpus | requests/s | p50 ms | p99 ms | requests | errors |")
print("|---|---:|---|---:|---:|---:|---:|---|")
for key, label in (("remembered", "`/api/search`, 131 remembered queries"), ("titles", "`/api/search`, 499 real titles"),
                   ("related", "`/api/related/{id}`, ids not asked before")):
    for conns in ("1", "64"):
        for name, r in (("real", a), ("synthetic", b)):
            rps, p50, p99, reqs, errors = r[f"wrk_{key}_{conns}"].split("|")
            print(f"| {label} | {conns} | {name} | {rps} | {p50} | {p99} | {reqs} | {errors} |")
PY
{
  echo
  echo "Generation: $generated"
  echo "$(date -u +%F), nproc $(nproc), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/ {print $2}') GiB"
} >>"$results"
cat "$results"
