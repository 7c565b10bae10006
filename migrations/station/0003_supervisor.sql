-- The supervisor's day: who a shot is (as the capture code shows it, never more), voided shots,
-- the timetable, the fee record and the retake marks.

-- The masked name and ID tail the code shows, and the student number when the code carries one
-- (NULL for shots queued before this migration: their `display` still says who).
ALTER TABLE shots ADD COLUMN name_masked TEXT;
ALTER TABLE shots ADD COLUMN id_tail TEXT;
ALTER TABLE shots ADD COLUMN student_no TEXT;
-- A voided shot is no photo of the student any more; it is never uploaded after it is voided.
ALTER TABLE shots ADD COLUMN voided_at INTEGER;
ALTER TABLE shots ADD COLUMN void_reason TEXT;

-- The imported timetable: replaced as a whole by each import (audited).
CREATE TABLE slots (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    date             TEXT NOT NULL,              -- YYYY-MM-DD
    start_min        INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min          INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440 AND end_min > start_min),
    grp              TEXT NOT NULL,              -- college or class: no personal data
    room             TEXT NOT NULL,
    expected         INTEGER NOT NULL CHECK (expected > 0),
    expected_derived INTEGER NOT NULL CHECK (expected_derived IN (0, 1)),
    source_row       INTEGER NOT NULL
);
CREATE INDEX slots_day ON slots (date, room, start_min);

-- Paid, exempt or unpaid, per student (by code key), as the photographer marked it.
CREATE TABLE fees (
    code_key TEXT PRIMARY KEY,
    status   TEXT NOT NULL CHECK (status IN ('paid', 'exempt', 'unpaid')),
    at       INTEGER NOT NULL
);

-- A supervisor asked for a student to be photographed again; cleared by the next accepted photo.
CREATE TABLE retake_marks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code_key   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    who        TEXT NOT NULL,
    at         INTEGER NOT NULL,
    cleared_at INTEGER
);
CREATE UNIQUE INDEX retake_marks_open ON retake_marks (code_key) WHERE cleared_at IS NULL;
