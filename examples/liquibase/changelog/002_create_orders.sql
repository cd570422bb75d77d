--liquibase formatted sql

--changeset example:2
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id)
);
--rollback DROP TABLE orders;
