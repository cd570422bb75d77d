/**
 * The psql preset's entrypoint, shipped in the image. It applies the migrations listed in `migrations.list`
 * (written at build time in the order validation checked), one transaction per file with ON_ERROR_STOP, under
 * an advisory lock, and records each version so that a second run applies nothing. psql's own quoting
 * (`:'var'`, `:"var"`) keeps names and the table name out of the SQL text.
 */
export const PSQL_RUNNER = `#!/bin/sh
# migration-image: apply the migrations in $MIGRATIONS_DIR/migrations.list to $DATABASE_URL with psql.
set -eu
if [ -z "\${DATABASE_URL:-}" ]; then
  echo "migrate: DATABASE_URL is not set (e.g. postgres://user:password@host:5432/db?sslmode=require)" >&2
  exit 2
fi
dir=\${MIGRATIONS_DIR:-/migrations}
table=\${MIGRATIONS_TABLE:-migration_image_versions}
applied=0
skipped=0
while IFS=' ' read -r version name; do
  [ -n "$version" ] || continue
  result=$(psql "$DATABASE_URL" --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 \\
    -v table="$table" -v version="$version" -v name="$name" -v file="$dir/$name" <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(hashtext(:'table'));
SET LOCAL client_min_messages = warning;
CREATE TABLE IF NOT EXISTS :"table" (
  version text PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
SET LOCAL client_min_messages = notice;
SELECT EXISTS (SELECT 1 FROM :"table" WHERE version = :'version') AS done \\gset
\\if :done
\\echo migration-image:skipped
\\else
\\i :file
INSERT INTO :"table" (version, name) VALUES (:'version', :'name');
\\echo migration-image:applied
\\endif
COMMIT;
SQL
  ) || { echo "migrate: $name failed; it was rolled back and nothing after it ran" >&2; exit 1; }
  case "$result" in
    *migration-image:applied*) applied=$((applied + 1)); echo "applied $name" ;;
    *) skipped=$((skipped + 1)) ;;
  esac
done < "$dir/migrations.list"
echo "migrate: $applied applied, $skipped already applied"
`
