"""Writes an arXiv API response (Atom, the layout of tests/fixtures/arxiv/api/q_testing_s0_m100.xml,
a real capture) holding N real papers from the shared corpus, for bench/parse.sh:

    python3 bench/make_api_response.py CORPUS.jsonl.gz N OUT.xml

The corpus has no submission times or versions; each entry gets v1 and its announced day at noon.
"""
import gzip
import json
import sys
from xml.sax.saxutils import escape, quoteattr


def main():
    corpus, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    entries = []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            p = json.loads(line)
            if not p.get("abstract") or not p.get("categories"):
                continue
            day = p.get("announced") or "2025-01-01"
            stamp = f"{day}T12:00:00Z"
            parts = [
                "  <entry>",
                f"    <id>http://arxiv.org/abs/{escape(p['id'])}v1</id>",
                f"    <title>{escape(p['title'])}</title>",
                f"    <updated>{stamp}</updated>",
                f"    <link href=\"https://arxiv.org/abs/{escape(p['id'])}v1\" rel=\"alternate\" type=\"text/html\"/>",
                f"    <link href=\"https://arxiv.org/pdf/{escape(p['id'])}v1\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>",
                f"    <summary>{escape(p['abstract'])}</summary>",
            ]
            parts += [f"    <category term={quoteattr(c)} scheme=\"http://arxiv.org/schemas/atom\"/>"
                      for c in p["categories"]]
            parts.append(f"    <published>{stamp}</published>")
            if p.get("comment"):
                parts.append(f"    <arxiv:comment>{escape(p['comment'])}</arxiv:comment>")
            parts.append(f"    <arxiv:primary_category term={quoteattr(p['categories'][0])}/>")
            if p.get("journal_ref"):
                parts.append(f"    <arxiv:journal_ref>{escape(p['journal_ref'])}</arxiv:journal_ref>")
            for author in p["authors"]:
                parts += ["    <author>", f"      <name>{escape(author)}</name>", "    </author>"]
            if p.get("doi"):
                parts.append(f"    <arxiv:doi>{escape(p['doi'])}</arxiv:doi>")
            parts.append("  </entry>")
            entries.append("\n".join(parts))
            if len(entries) == n:
                break
    head = f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/bench</id>
  <title>arXiv Query: search_query=cat:cs.LG&amp;id_list=&amp;start=0&amp;max_results={n}</title>
  <updated>2026-11-24T00:00:00Z</updated>
  <link href="https://arxiv.org/api/query?search_query=cat:cs.LG&amp;start=0&amp;max_results={n}&amp;id_list=" type="application/atom+xml"/>
  <opensearch:itemsPerPage>{n}</opensearch:itemsPerPage>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
"""
    with open(out, "w", encoding="utf-8") as f:
        f.write(head + "\n".join(entries) + "\n</feed>\n")


if __name__ == "__main__":
    main()
