-- A retake names the shot it replaces, so the collector can tell which photo counts.
ALTER TABLE shots ADD COLUMN supersedes TEXT REFERENCES shots (id);
