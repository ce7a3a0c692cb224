#!/usr/bin/env python3
"""Builds demo/arxiv-sample.jsonl.gz, the real papers `papers demo` and the tests load offline.

Takes the latest DAYS announced days of the shared corpus and, from each day, up to TOPIC_CAP
papers on the topics we care about first (attention, diffusion, low-rank) plus OTHERS others, drawn
with a fixed seed so the sample is reproducible. Lines are copied unchanged (arXiv metadata, CC0).

    python3 scripts/make-demo-sample.py ../shared/data/arxiv-2025-2026.jsonl.gz
"""
import gzip
import json
import random
import re
import sys
from collections import defaultdict

DAYS = 24
TOPIC_CAP = 70
OTHERS = 60
TOPICS = re.compile(r"attention|diffusion|low-rank|low rank|\blora\b", re.IGNORECASE)


def main(src: str, dst: str = "demo/arxiv-sample.jsonl.gz") -> None:
    by_day = defaultdict(list)
    with gzip.open(src, "rt", encoding="utf-8") as f:
        for line in f:
            by_day[json.loads(line)["announced"]].append(line)
    days = sorted(by_day)[-DAYS:]
    rng = random.Random(20260701)
    picked = []
    for day in days:
        lines = by_day[day]
        topical = [l for l in lines if TOPICS.search(json.loads(l)["title"] + " " + json.loads(l)["abstract"])]
        others = [l for l in lines if l not in set(topical)]
        picked += rng.sample(topical, min(TOPIC_CAP, len(topical)))
        picked += rng.sample(others, min(OTHERS, len(others)))
    picked.sort(key=lambda l: (json.loads(l)["announced"], json.loads(l)["id"]))
    # mtime=0: the same input gives byte-identical output.
    with open(dst, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for line in picked:
            out.write(line.encode("utf-8"))
    print(f"{len(picked)} papers from {len(days)} days ({days[0]} to {days[-1]}) -> {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:])
