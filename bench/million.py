#!/usr/bin/env python3
"""A synthetic corpus of N papers (a million by default), resampled from the shared corpus, in the
import format (README "The import format"), for bench/million.sh.

    python3 bench/million.py [--corpus FILE] [--out FILE] [-n N] [--seed S]
                             [--from YYYY-MM] [--until YYYY-MM] [--growth G] [--ids-every K --ids FILE]

Each synthetic paper starts from a real paper drawn at random (its "template"), so the mix of
categories, of author counts, of abstract lengths and of comments (and the venues they claim) is
the real one. Then:

- categories and comment: the template's;
- title: the template's, with about a third of its longer words swapped for words drawn from the
  titles of other papers of the same primary category (frequency-weighted);
- abstract: as many sentences as the template's, each drawn from a different real abstract of the
  same primary category at the same place (openings from openings, closings from closings), with
  their hard line breaks and LaTeX as arXiv serves them;
- authors: as many as the template has, drawn from every author occurrence in the corpus (so a
  prolific author stays prolific), without repeats within a paper;
- announced: a weekday (arXiv lists Monday to Friday) of a month from --from to --until, with more
  papers in later months (--growth per year, 1.2 by default: roughly arXiv's cs growth);
- id: `YYMM.NNNNN` of that month with NNNNN from 60000 up, in date order within the month. Real
  arXiv numbers restart at 00001 each month and no month has reached 60,000 submissions (about
  30,000 in 2025), so a synthetic id cannot be a real one; the script also checks that none is in
  the shared corpus. That leaves 40,000 ids per month: N is refused if a month would need more.

Primary categories with fewer than 200 papers borrow from their whole archive (`cs`, `eess`…),
so a rare category's abstracts are not the same few sentences over and over. The output is
written in date order (like an OAI-PMH backfill), gzip level 1 unless --level says otherwise, and
is the same for the same seed and corpus. Python 3.11 standard library only.
"""

import argparse
import bisect
import calendar
import datetime
import gzip
import itertools
import json
import random
import re
import sys
import time

FIRST_NUMBER = 60000
PER_MONTH = 100000 - FIRST_NUMBER
SMALL_CATEGORY = 200
SWAP = 0.33
STOP = {
    "with", "from", "into", "that", "this", "than", "their", "over", "under", "upon", "using",
    "towards", "toward", "through", "between", "without", "via", "for", "and", "the", "are",
    "what", "when", "where", "which", "while", "does", "your", "beyond", "about", "across",
}
# A sentence ends at . ! or ? followed by white space and a capital letter (or a LaTeX/digit
# opening); good enough to cut abstracts into reusable pieces.
SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9$\\(])")


def sentences(text):
    """`text` cut after each sentence's final mark (the white space between them dropped)."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        out.append(text[start : m.start() + 1])
        start = m.end()
    out.append(text[start:])
    return out


def parse_month(text):
    year, month = text.split("-")
    return int(year), int(month)


def months_between(first, last):
    year, month = first
    while (year, month) <= last:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class Pool:
    """What papers of one primary category (or archive) lend to synthetic ones."""

    __slots__ = ("title_words", "first", "middle", "last")

    def __init__(self):
        self.title_words = []
        self.first = []
        self.middle = []
        self.last = []

    def add(self, paper):
        for word in paper["title"].split():
            if len(word) > 3 and word.isalpha() and word.lower() not in STOP:
                self.title_words.append(word)
        parts = sentences(paper["abstract"].strip())
        paper["sentences"] = len(parts)
        self.first.append(parts[0])
        if len(parts) > 1:
            self.last.append(parts[-1])
            self.middle.extend(parts[1:-1])


def load(corpus):
    papers = []
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            papers.append(
                {
                    "id": r["id"],
                    "title": " ".join(r["title"].split()),
                    "authors": r["authors"],
                    "categories": r["categories"],
                    "abstract": r["abstract"],
                    "comment": r.get("comment"),
                }
            )
    return papers


def build_pools(papers):
    by_primary = {}
    for p in papers:
        by_primary.setdefault(p["categories"][0], []).append(p)
    pools, key_of = {}, {}
    for category, members in by_primary.items():
        key = category if len(members) >= SMALL_CATEGORY else category.split(".")[0]
        key_of[category] = key
        pool = pools.setdefault(key, Pool())
        for p in members:
            pool.add(p)
    for pool in pools.values():
        # Every pool needs each kind of piece; an archive of one-sentence abstracts has no middles.
        pool.middle = pool.middle or pool.first
        pool.last = pool.last or pool.first
    return pools, key_of


def month_counts(n, months, growth, rng):
    """How many papers each month gets: proportional to growth ** years, summing to n."""
    weights = [growth ** (i / 12) for i in range(len(months))]
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    # The remainder goes to months drawn by weight, so the total is exactly n.
    cumulative = list(itertools.accumulate(weights))
    for _ in range(n - sum(counts)):
        counts[bisect.bisect_left(cumulative, rng.random() * total)] += 1
    if max(counts) > PER_MONTH:
        month = months[counts.index(max(counts))]
        sys.exit(
            f"{max(counts)} papers in {month[0]}-{month[1]:02} is more than the {PER_MONTH} "
            f"synthetic ids a month allows: widen --from/--until or lower --growth"
        )
    return counts


def weekdays(year, month):
    days = calendar.monthrange(year, month)[1]
    return [
        datetime.date(year, month, d)
        for d in range(1, days + 1)
        if datetime.date(year, month, d).weekday() < 5
    ]


def pick(items, rng):
    """rng.choice, a third faster (it matters a million times over); as deterministic."""
    return items[int(rng.random() * len(items))]


def make_title(template, pool, rng):
    words = template["title"].split(" ")
    swappable = pool.title_words
    out = []
    for word in words:
        if len(word) > 3 and word.isalpha() and word.lower() not in STOP and rng.random() < SWAP:
            new = pick(swappable, rng)
            # Keep the template's capitalisation style (Title Case or sentence case).
            if word[0].isupper() and new[0].islower():
                new = new[0].upper() + new[1:]
            elif word[0].islower() and new[0].isupper() and not new[1:2].isupper():
                new = new[0].lower() + new[1:]
            out.append(new)
        else:
            out.append(word)
    return " ".join(out)


def make_abstract(sentence_count, pool, rng):
    if sentence_count <= 1:
        return pick(pool.first, rng)
    parts = [pick(pool.first, rng)]
    parts.extend(pick(pool.middle, rng) for _ in range(sentence_count - 2))
    parts.append(pick(pool.last, rng))
    return " ".join(parts)


def make_authors(count, author_pool, rng):
    names, seen = [], set()
    while len(names) < count:
        name = pick(author_pool, rng)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="../shared/data/arxiv-2025-2026.jsonl.gz")
    ap.add_argument("--out", default="million.jsonl.gz")
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--from", dest="first", default="2019-01", help="first month, YYYY-MM")
    ap.add_argument("--until", dest="last", default="2026-06", help="last month, YYYY-MM")
    ap.add_argument("--growth", type=float, default=1.2, help="papers per month, growth per year")
    ap.add_argument("--level", type=int, default=1, help="gzip level")
    ap.add_argument("--ids", help="also write every --ids-every'th id here, one per line")
    ap.add_argument("--ids-every", type=int, default=100)
    args = ap.parse_args()

    started = time.monotonic()
    papers = load(args.corpus)
    pools, key_of = build_pools(papers)
    real_ids = {p["id"] for p in papers}
    author_pool = [a for p in papers for a in p["authors"]]
    loaded = time.monotonic()
    print(
        f"read {len(papers)} papers ({len(pools)} pools, {len(author_pool)} author names, "
        f"{sum(len(p.first) + len(p.middle) + len(p.last) for p in pools.values())} sentences) "
        f"in {loaded - started:.1f}s",
        file=sys.stderr,
    )

    rng = random.Random(args.seed)
    months = list(months_between(parse_month(args.first), parse_month(args.last)))
    counts = month_counts(args.n, months, args.growth, rng)
    ids_out = open(args.ids, "w") if args.ids else None
    written = 0
    raw_bytes = 0
    last_report = time.monotonic()
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=args.level) as out:
        for (year, month), count in zip(months, counts):
            days = weekdays(year, month)
            dates = sorted(pick(days, rng) for _ in range(count))
            yymm = f"{year % 100:02}{month:02}"
            lines = []
            for number, day in enumerate(dates, FIRST_NUMBER):
                template = pick(papers, rng)
                pool = pools[key_of[template["categories"][0]]]
                paper_id = f"{yymm}.{number:05}"
                if paper_id in real_ids:
                    sys.exit(f"synthetic id {paper_id} is a real paper's id in the corpus")
                record = {
                    "id": paper_id,
                    "title": make_title(template, pool, rng),
                    "authors": make_authors(len(template["authors"]), author_pool, rng),
                    "categories": template["categories"],
                    "abstract": make_abstract(template["sentences"], pool, rng),
                    "comment": template["comment"],
                    "announced": day.isoformat(),
                }
                line = json.dumps(record, ensure_ascii=False)
                lines.append(line)
                raw_bytes += len(line) + 1
                written += 1
                if ids_out and written % args.ids_every == 0:
                    ids_out.write(paper_id + "\n")
            out.write("\n".join(lines))
            out.write("\n")
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                print(f"  {written} papers, up to {year}-{month:02}", file=sys.stderr)
    if ids_out:
        ids_out.close()
    secs = time.monotonic() - loaded
    print(
        f"wrote {written} papers ({raw_bytes / 1e6:.0f} MB of JSON) to {args.out} in {secs:.1f}s "
        f"({written / secs:.0f} papers/s), {months[0][0]}-{months[0][1]:02} to "
        f"{months[-1][0]}-{months[-1][1]:02}, {min(counts)}-{max(counts)} a month; "
        f"reading the corpus took {loaded - started:.1f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
