-- LLM summaries (the paper FAQ). Times are Unix seconds (UTC) in both backends.

-- Cached answers: one per (paper version, language, provider, model, prompt version). A newer
-- version of the paper makes an answer stale, not invisible: readers see it marked as such.
CREATE TABLE summaries (
    paper_id       TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    lang           TEXT NOT NULL,              -- en | zh
    provider       TEXT NOT NULL,              -- endpoint | local | extractive
    model          TEXT NOT NULL,
    prompt_version INTEGER NOT NULL,
    answers        TEXT NOT NULL,              -- JSON array: one Markdown answer per question
    source         TEXT NOT NULL,              -- full-text | abstract
    tokens         INTEGER NOT NULL,              -- prompt + completion, for the daily budget
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (paper_id, lang, provider, model, prompt_version, version)
);
CREATE INDEX summaries_by_time ON summaries (created_at);

-- Generations waiting or under way. A finished job is deleted (its answer is in summaries); a
-- failed one stays, with its reason, until someone asks again. One job per paper version and
-- language, so any number of clicks make one generation. A worker holds a job by a lease it
-- renews; a worker killed mid-generation stops renewing, and another takes the job over.
CREATE TABLE summary_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id    TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    lang        TEXT NOT NULL,
    priority    INTEGER NOT NULL,                 -- higher first: the newest day's papers lead
    state       TEXT NOT NULL,                 -- queued | running | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    partial     TEXT,                          -- JSON array of the answers so far, while running
    worker      TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (paper_id, version, lang)
);
CREATE INDEX summary_jobs_queue ON summary_jobs (state, priority, id);

-- Text extracted from a paper's PDF for the summaries, or why it could not be had (so a broken
-- PDF is not fetched again for every language).
CREATE TABLE fulltexts (
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    text       TEXT,
    error      TEXT,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (paper_id, version)
);
