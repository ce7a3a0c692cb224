-- Crawler bookkeeping. Times are Unix seconds (UTC) in both backends.

-- A lease that keeps two crawls from running at once. A holder that dies (kill -9) stops renewing
-- it, and the next run takes it over once `expires_at` has passed.
CREATE TABLE crawl_locks (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Small named state: backfill checkpoints (OAI-PMH resumption tokens), feed validators (ETag,
-- Last-Modified). Values are JSON.
CREATE TABLE crawl_state (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per crawl run: what it did and how it ended.
CREATE TABLE crawl_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,               -- daily | backfill | fetch
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    status      TEXT NOT NULL,               -- running | ok | partial | failed
    summary     TEXT                         -- JSON: counts per source, errors
);

CREATE INDEX crawl_runs_by_start ON crawl_runs (started_at);
