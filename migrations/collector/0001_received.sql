-- The collector's index: every photo version a station delivered, which one is the student's
-- current photo for the day, and whether its seal was verified. Forward-only.

CREATE TABLE received (
    shot_id     TEXT PRIMARY KEY,          -- the station's shot id (the idempotency key)
    sha256      TEXT NOT NULL,             -- of the stored JPEG
    bytes       INTEGER NOT NULL,
    station     TEXT NOT NULL,             -- from the station's token, never from the request
    code_key    TEXT NOT NULL,             -- 16 hex digits of the capture code's SHA-256
    day         TEXT NOT NULL,             -- the day it was taken, China Standard Time
    taken_at    INTEGER NOT NULL,          -- unix milliseconds, at the station
    supersedes  TEXT,                      -- the shot this retake replaces
    received_at INTEGER NOT NULL,          -- unix milliseconds, here
    current     INTEGER NOT NULL CHECK (current IN (0, 1)),
    seal        TEXT NOT NULL CHECK (seal IN ('verified', 'unverified'))
);

-- The newest photo of a student on a day is the one that counts.
CREATE UNIQUE INDEX received_one_current ON received (code_key, day) WHERE current = 1;
CREATE INDEX received_day ON received (day, received_at);
