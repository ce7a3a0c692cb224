-- Papers: one row per arXiv paper (canonical id, no version); the latest known version wins.
CREATE TABLE papers (
    id               TEXT PRIMARY KEY NOT NULL,
    version          INTEGER NOT NULL CHECK (version >= 1),
    title            TEXT NOT NULL,
    authors          TEXT NOT NULL,             -- JSON array of names, in order
    abstract         TEXT NOT NULL,
    categories       TEXT NOT NULL,             -- canonical codes separated by spaces, primary first
    primary_category TEXT NOT NULL,
    comment          TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    published        TEXT,                      -- RFC 3339, UTC
    updated          TEXT,
    announced        TEXT,                      -- YYYY-MM-DD: the first daily listing it appeared in
    modified_at      TEXT NOT NULL              -- when this row last changed (derived data follows it)
);

CREATE INDEX papers_by_announced ON papers (announced);
CREATE INDEX papers_by_modified ON papers (modified_at);

-- One row per (paper, category) so a day's listing for any category expression is an index range.
-- `announced` is copied from papers so that listing and counting a day never touch the wide table.
CREATE TABLE paper_categories (
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    category   TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL,
    announced  TEXT,
    PRIMARY KEY (paper_id, category)
);

CREATE INDEX paper_categories_by_day ON paper_categories (category, announced);
CREATE INDEX paper_categories_by_announced ON paper_categories (announced);
