"""The baseline for bench/search.sh: SQLite FTS5 over title and abstract, on the same corpus and
the same known-item queries as `cargo bench --bench search`, printing lines of the same shape.

    python3 bench/fts5_baseline.py CORPUS.jsonl.gz QUERIES.jsonl

FTS5 with the porter stemmer and diacritics removed, each query as the OR of its words, ranked by
bm25(): a strong, widely used peer. Titles: every 150th paper of the corpus, as in the Rust bench.
"""
import gzip
import json
import re
import sqlite3
import statistics
import sys
import time


def main():
    corpus, queries_path = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE papers USING fts5(id UNINDEXED, title, abstract, "
               "tokenize = 'porter unicode61 remove_diacritics 2')")
    titles = []
    started = time.perf_counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        rows = []
        for i, line in enumerate(lines):
            p = json.loads(line)
            rows.append((p["id"], p["title"], p["abstract"]))
            if i % 150 == 0:
                titles.append((p["id"], p["title"]))
        db.executemany("INSERT INTO papers VALUES (?, ?, ?)", rows)
    db.commit()
    seconds = time.perf_counter() - started
    print(json.dumps({"build": "fts5", "papers": len(rows), "seconds": round(seconds, 2),
                      "papers_per_s": round(len(rows) / seconds)}))
    remembered = [(q["id"], q["query"]) for q in map(json.loads, open(queries_path, encoding="utf-8"))]

    for name, qs in (("titles", titles), ("remembered", remembered)):
        reciprocal, found, first, times = 0.0, 0, 0, []
        for rnd in range(3):
            for target, query in qs:
                words = re.findall(r"\w+", query)
                match = " OR ".join('"%s"' % w for w in words) or '""'
                t = time.perf_counter()
                ids = [r[0] for r in db.execute(
                    "SELECT id FROM papers WHERE papers MATCH ? ORDER BY bm25(papers) LIMIT 10", (match,))]
                took = time.perf_counter() - t
                if rnd > 0:
                    times.append(took)
                    continue
                if target in ids:
                    reciprocal += 1 / (ids.index(target) + 1)
                    found += 1
                    first += ids.index(target) == 0
        times.sort()
        print(json.dumps({"set": name, "ranker": "fts5", "queries": len(qs),
                          "mrr_at_10": round(reciprocal / len(qs), 3), "recall_at_10": round(found / len(qs), 3),
                          "first": round(first / len(qs), 3),
                          "p50_ms": round(statistics.median(times) * 1e3, 2),
                          "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1e3, 2)}))


if __name__ == "__main__":
    main()
