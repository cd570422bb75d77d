ALTER TABLE users ADD COLUMN name text;
-- A data fix in the same transaction as the schema change.
UPDATE users SET name = split_part(email, '@', 1) WHERE name IS NULL;
