-- migrate:up
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  total_cents bigint NOT NULL CHECK (total_cents >= 0)
);
CREATE INDEX orders_user_id_idx ON orders (user_id);

-- migrate:down
DROP TABLE orders;
