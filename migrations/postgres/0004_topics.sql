-- Which papers belong to each topic (a saved query in papers.toml). Computed by `papers index`
-- after each sync, so topic lists and topic feeds are a join, not a search.
CREATE TABLE topic_papers (
    topic    TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (topic, paper_id)
);
