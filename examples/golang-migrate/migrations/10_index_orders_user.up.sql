-- Alone in its file: golang-migrate sends a file as one query, and CONCURRENTLY cannot run in a multi-statement one.
CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);
