-- Modify "users" table
ALTER TABLE "users" ADD COLUMN "display_name" text NULL;
