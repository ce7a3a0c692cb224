-- Where papers were accepted: one row per paper and venue edition (ICLR 2026), with its group
-- (Oral, Spotlight, Poster, Findings, Workshop…; '' when not known) and the source that said so:
-- `arxiv` (the claim in the paper's comment, derived when the index syncs), `openreview` or
-- `curated` (imports, which take precedence over a comment's claim of the same edition).
-- A paper known only at a venue is a row of `papers` under an id like `openreview:rJx1Y`.
CREATE TABLE venue_papers (
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    venue    TEXT NOT NULL,             -- canonical short name: ICLR, NeurIPS, TMLR
    year     INTEGER NOT NULL,
    grp      TEXT NOT NULL DEFAULT '',
    source   TEXT NOT NULL,
    url      TEXT,                      -- the paper's page at the source
    pdf_url  TEXT,
    sort_key TEXT NOT NULL DEFAULT '', -- the paper's title in lower case, kept by the Store
    PRIMARY KEY (paper_id, venue, year)
);

-- An edition's page, and one group's, are index ranges already in title order.
CREATE INDEX venue_papers_by_edition ON venue_papers (venue, year, sort_key, paper_id);
CREATE INDEX venue_papers_by_group ON venue_papers (venue, year, grp, sort_key, paper_id);
-- `/venue`'s counts per edition and group, from a narrow index rather than the wide ones above.
CREATE INDEX venue_papers_counts ON venue_papers (venue, year, grp);

-- Papers removed from the Store: a venue-only paper found to be an arXiv paper after all is
-- merged into it and removed. Each server's index drops the removed ids when it syncs.
CREATE TABLE removed_papers (
    id         TEXT PRIMARY KEY NOT NULL,
    merged_into TEXT,
    removed_at TEXT NOT NULL
);
