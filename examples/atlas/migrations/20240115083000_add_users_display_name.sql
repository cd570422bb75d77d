-- Modify "users" table
SET LOCAL lock_timeout = '5s';
ALTER TABLE "users" ADD COLUMN "display_name" text NULL;
