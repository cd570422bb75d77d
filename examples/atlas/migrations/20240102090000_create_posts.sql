-- Create "posts" table
CREATE TABLE "posts" (
  "id" bigserial NOT NULL,
  "author_id" bigint NOT NULL,
  "title" text NOT NULL,
  "body" text NOT NULL DEFAULT '',
  "published_at" timestamptz NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "posts_author_fk" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX "posts_author_idx" ON "posts" ("author_id");
