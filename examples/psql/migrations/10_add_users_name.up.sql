-- Give up after 5 s instead of queueing every query on users behind a long one (retry the deploy then).
SET LOCAL lock_timeout = '5s';
ALTER TABLE users ADD COLUMN name text;
-- A data fix in the same transaction as the schema change.
UPDATE users SET name = split_part(email, '@', 1) WHERE name IS NULL;
