-- CONCURRENTLY: writes to users go on while the index builds. Alone in its script, so Flyway runs it outside a
-- transaction (its parser knows CREATE INDEX CONCURRENTLY cannot run in one).
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
