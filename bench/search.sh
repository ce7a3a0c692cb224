#!/usr/bin/env bash
# Search: index build time, known-item quality (MRR@10, Recall@10) and in-process latency
# (p50/p99) on the full shared corpus, for papers (cargo bench --bench search) and, in the same
# run, SQLite FTS5 with the porter stemmer, OR of the words, bm25 (bench/fts5_baseline.py).
# Prints a Markdown table for BENCHMARKS.md.
#
#   bench/search.sh [CORPUS] [QUERIES]
#
# Defaults: ../shared/data/arxiv-2025-2026.jsonl.gz and bench/queries/remembered.jsonl.
# With PAPERS_MINILM_DIR naming MiniLM's files (scripts/fetch-minilm.sh), MiniLM is measured too
# (at ~22 papers/s on 2 cores, 75k papers take about an hour: a smaller CORPUS is quicker).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(realpath "${1:-../shared/data/arxiv-2025-2026.jsonl.gz}")"
queries="$(realpath "${2:-bench/queries/remembered.jsonl}")"

ours="$(cargo bench --locked -q --bench search -- "$corpus" "$queries")"
theirs="$(python3 bench/fts5_baseline.py "$corpus" "$queries")"

python3 - "$ours" "$theirs" <<'PY'
import json, sys
rows = [json.loads(l) for text in sys.argv[1:] for l in text.splitlines() if l.strip()]
builds = [r for r in rows if "build" in r]
scans = [r for r in rows if "scan" in r]
sets = [r for r in rows if "set" in r]
print("| index build | papers | seconds | papers/s |")
print("|---|---:|---:|---:|")
for b in builds:
    print(f"| {b['build']} | {b['papers']} | {b['seconds']} | {b['papers_per_s']} |")
print()
if scans:
    print("| vectors | rows | dims | int8 + rescore recall@10 (vs exact f32) | int8 + rescore ms | exact f32 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in scans:
        print(f"| {r['scan']} | {r['rows']} | {r['dim']} | {r['int8_rescored_recall_at_10']:.3f} | {r['int8_rescored_ms']} | {r['f32_exact_ms']} |")
    print()
print("| query set | ranker | queries | MRR@10 | Recall@10 | found first | p50 ms | p99 ms |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for s in sorted(sets, key=lambda r: (r["set"], r["ranker"])):
    print(f"| {s['set']} | {s['ranker']} | {s['queries']} | {s['mrr_at_10']:.3f} | {s['recall_at_10']:.3f} | {s.get('first', float('nan')):.3f} | {s['p50_ms']} | {s['p99_ms']} |")
by = {(s["set"], s["ranker"]): s for s in sets}
for name in ("titles", "remembered"):
    b = by.get((name, "fts5"))
    for (set_name, ranker), a in sorted(by.items()):
        if set_name == name and ranker != "fts5" and b:
            print(f"\n{name}, {ranker}: MRR@10 / FTS5's = {a['mrr_at_10'] / max(b['mrr_at_10'], 1e-9):.2f}x; "
                  f"FTS5's p50 / this p50 = {b['p50_ms'] / max(a['p50_ms'], 1e-9):.0f}x", end="")
    print()
PY
