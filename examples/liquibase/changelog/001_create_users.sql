--liquibase formatted sql

--changeset example:1
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE
);
--rollback DROP TABLE users;
