"""The Python baseline for bench/parse.sh: parse one file as the papers parser does, with
feedparser or with lxml, and print one JSON line in the same shape as `cargo bench --bench parse`.

    python3 bench/parse_python.py feedparser|lxml api|oai|feed FILE [ITERATIONS]

feedparser is what most arXiv tools use for the API and the feeds; lxml (a C parser building a
tree, then the same fields read out of it) is the fastest common Python route. Both are given the
bytes already in memory, as the Rust side is.
"""
import json
import statistics
import sys
import time

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
ARXIV_OAI = "{http://arxiv.org/OAI/arXiv/}"


def with_feedparser(kind, body):
    import feedparser

    parsed = feedparser.parse(body)
    # Read the fields the papers parser produces, so lazy work is not skipped.
    for entry in parsed.entries:
        (entry.get("id"), entry.get("title"), entry.get("summary"),
         [a.get("name") for a in entry.get("authors", [])],
         [t.get("term") for t in entry.get("tags", [])], entry.get("published"),
         entry.get("updated"), entry.get("arxiv_comment"), entry.get("arxiv_doi"))
    return len(parsed.entries)


def with_lxml(kind, body):
    from lxml import etree

    root = etree.fromstring(body)
    count = 0
    if kind == "api":
        for entry in root.iter(ATOM + "entry"):
            (entry.findtext(ATOM + "id"), entry.findtext(ATOM + "title"),
             entry.findtext(ATOM + "summary"),
             [a.findtext(ATOM + "name") for a in entry.iter(ATOM + "author")],
             [c.get("term") for c in entry.iter(ATOM + "category")],
             entry.findtext(ATOM + "published"), entry.findtext(ATOM + "updated"),
             entry.findtext(ARXIV + "comment"), entry.findtext(ARXIV + "doi"))
            count += 1
    elif kind == "oai":
        for record in root.iter(OAI + "record"):
            for ns in (RAW, ARXIV_OAI):
                meta = record.find(f"{OAI}metadata/{ns}{'arXivRaw' if ns == RAW else 'arXiv'}")
                if meta is not None:
                    (meta.findtext(ns + "id"), meta.findtext(ns + "title"),
                     meta.findtext(ns + "abstract"), meta.findtext(ns + "authors"),
                     meta.findtext(ns + "categories"), meta.findtext(ns + "comments"),
                     meta.findtext(ns + "doi"),
                     [v.findtext(ns + "date") for v in meta.iter(ns + "version")])
                    count += 1
    else:
        for item in root.iter("item", ATOM + "entry"):
            count += 1
    return count


def main():
    lib, kind, path = sys.argv[1:4]
    iterations = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    body = open(path, "rb").read()
    parse = {"feedparser": with_feedparser, "lxml": with_lxml}[lib]
    entries = parse(kind, body)
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        parse(kind, body)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(json.dumps({"parser": lib, "kind": kind, "bytes": len(body), "entries": entries,
                      "median_secs": round(median, 6), "mb_per_s": round(len(body) / 1e6 / median, 2),
                      "entries_per_s": round(entries / median)}))


if __name__ == "__main__":
    main()
