-- The station's queue: every shot taken, its photo (encrypted at rest), its upload state, and an
-- append-only audit log of every state change. Forward-only: never edit a released migration.

CREATE TABLE shots (
    id              TEXT PRIMARY KEY,               -- 32 hex digits, also the upload idempotency key
    code_key        TEXT NOT NULL,                  -- SHA-256 prefix of the capture code (never the code)
    display         TEXT NOT NULL,                  -- masked name / ID tail, safe to show
    station         TEXT NOT NULL,
    room            TEXT NOT NULL,
    operator        TEXT NOT NULL,
    taken_at        INTEGER NOT NULL,               -- unix milliseconds
    day             TEXT NOT NULL,                  -- local date YYYY-MM-DD, for "today"
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    verdict         TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
    checks_json     TEXT NOT NULL,
    photo_sealed    BLOB NOT NULL,                  -- AES-256-GCM under the station key
    photo_sha256    TEXT NOT NULL,                  -- of the JPEG itself
    photo_bytes     INTEGER NOT NULL,
    upload_state    TEXT NOT NULL DEFAULT 'pending'
                    CHECK (upload_state IN ('pending', 'uploading', 'uploaded', 'failed')),
    upload_attempts INTEGER NOT NULL DEFAULT 0,
    upload_error    TEXT,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    uploaded_at     INTEGER
);

CREATE INDEX shots_upload ON shots (upload_state, next_attempt_at);
CREATE INDEX shots_code ON shots (code_key, day);
-- At most one active photo per student per day: a retake deactivates the older one.
CREATE UNIQUE INDEX shots_one_active ON shots (code_key, day) WHERE active = 1;

CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    shot_id TEXT REFERENCES shots (id),
    event   TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
