-- Vectors of papers, one per (paper, embedder), for semantic search and related papers. Derived
-- data, but costly to compute (MiniLM on 2 cores: ~13 papers/s), so it lives in the Store and a
-- rebuild of the index recomputes nothing. `version` is the paper version that was embedded: a
-- newer version of the paper makes the vector stale.
CREATE TABLE embeddings (
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    embedder TEXT NOT NULL,          -- e.g. lsa-256:<model fingerprint>, minilm-l6-v2
    version  BIGINT NOT NULL,
    vector   BYTEA NOT NULL,         -- f32 little-endian
    PRIMARY KEY (embedder, paper_id)
);
