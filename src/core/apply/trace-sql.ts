/*
 * The deploy-safety trace's SQL (PostgreSQL): event triggers that watch the tool itself run each new migration, in
 * the tool's own sessions and transactions (BRIEF §11). Chosen over replaying each statement on a copy of the
 * database because a replay would have to split the file and guess the transactions the way the tool runs them,
 * which is exactly what the trace is there to check; event triggers fire inside the tool's own transaction, at the
 * end of each DDL command, and see what that session holds at that moment.
 *
 * - Before the new migrations: a snapshot of what exists (relations with their relfilenode, constraints and whether
 *   they are validated, NOT NULL columns), then two event triggers: `ddl_command_end` (per command: its tag, the
 *   table it was on, the relation locks the session holds on tables that existed before, the lock_timeout in force,
 *   the sequential scans of those tables so far in the transaction, the table's constraints and NOT NULL columns)
 *   and `table_rewrite` (the table and the server's reason bits).
 * - After them: one read (a JSON document) that also names the tables whose relfilenode changed without a rewrite
 *   event (VACUUM FULL, CLUSTER, TRUNCATE fire none), then everything dropped before the schema dump.
 *
 * Event triggers need a superuser (CREATE EVENT TRIGGER); the install refuses otherwise with MI_TRACE_NOT_SUPERUSER.
 * The trigger bodies catch every error: the trace must never make a migration fail. Their search_path is pinned, so
 * a function a migration creates in public cannot stand in for a catalog one.
 */

export const TRACE_SCHEMA = 'migration_image_trace'
/** The marker the install's refusal carries (a login that is not a superuser). */
export const NOT_SUPERUSER = 'MI_TRACE_NOT_SUPERUSER'
/** Events kept per check: more are dropped (a migration of a million ALTERs says enough in its first 10,000). */
export const MAX_EVENTS = 10_000

const S = TRACE_SCHEMA
const USER_RELATION = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '${S}') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`

/** The snapshot and the triggers; prints the server's clock (epoch ms) last, to line its events up with the runs. */
export function traceInstallSql(): string {
  return `
DO $check$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION '${NOT_SUPERUSER}';
  END IF;
END $check$;
CREATE SCHEMA ${S};
CREATE TABLE ${S}.relations AS
  SELECT c.oid AS relid, c.relfilenode, c.relkind::text AS relkind, n.nspname || '.' || c.relname AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_RELATION} AND c.relkind IN ('r', 'p', 'm', 'i', 'I');
CREATE TABLE ${S}.constraints AS
  SELECT r.name AS tbl, k.conname::text AS name, k.contype::text AS kind, k.convalidated AS validated
  FROM pg_catalog.pg_constraint k JOIN ${S}.relations r ON r.relid = k.conrelid;
CREATE TABLE ${S}.not_null AS
  SELECT r.name AS tbl, a.attname::text AS col
  FROM pg_catalog.pg_attribute a JOIN ${S}.relations r ON r.relid = a.attrelid
  WHERE r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull;
CREATE TABLE ${S}.events (
  seq bigserial PRIMARY KEY, at double precision, pid int, xact text, tag text, tbl text, reason int,
  locks jsonb, lock_timeout text, scans jsonb, constraints jsonb, not_null jsonb);
CREATE FUNCTION ${S}.on_ddl() RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
DECLARE
  command record;
  rel oid;
BEGIN
  FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    BEGIN
      IF (SELECT count(*) FROM ${S}.events) >= ${MAX_EVENTS} THEN RETURN; END IF;
      rel := NULL;
      IF command.classid = 'pg_class'::regclass THEN
        rel := coalesce((SELECT indrelid FROM pg_index WHERE indexrelid = command.objid), command.objid);
      END IF;
      INSERT INTO ${S}.events (at, pid, xact, tag, tbl, locks, lock_timeout, scans, constraints, not_null)
      SELECT extract(epoch FROM clock_timestamp()) * 1000, pg_backend_pid(), txid_current_if_assigned()::text,
        command.command_tag, r.name,
        (SELECT coalesce(jsonb_agg(jsonb_build_array(e.name, l.mode)), '[]') FROM pg_locks l
           JOIN ${S}.relations e ON e.relid = l.relation
           WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND e.relkind IN ('r', 'p', 'm')),
        current_setting('lock_timeout'),
        (SELECT coalesce(jsonb_agg(jsonb_build_array(e.name, pg_stat_get_xact_numscans(e.relid))), '[]')
           FROM ${S}.relations e WHERE e.relkind IN ('r', 'p') AND pg_stat_get_xact_numscans(e.relid) > 0),
        CASE WHEN r.name IS NOT NULL THEN (SELECT coalesce(jsonb_agg(jsonb_build_array(k.conname, k.contype, k.convalidated)), '[]')
           FROM pg_constraint k WHERE k.conrelid = rel) END,
        CASE WHEN r.name IS NOT NULL THEN (SELECT coalesce(jsonb_agg(a.attname), '[]') FROM pg_attribute a
           WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull) END
      FROM (SELECT (SELECT name FROM ${S}.relations WHERE relid = rel AND relkind IN ('r', 'p', 'm')) AS name) r;
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
  END LOOP;
END $f$;
CREATE FUNCTION ${S}.on_rewrite() RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
  INSERT INTO ${S}.events (at, pid, xact, tag, tbl, reason, lock_timeout)
  SELECT extract(epoch FROM clock_timestamp()) * 1000, pg_backend_pid(), txid_current_if_assigned()::text,
    'table_rewrite', e.name, pg_event_trigger_table_rewrite_reason(), current_setting('lock_timeout')
  FROM ${S}.relations e WHERE e.relid = pg_event_trigger_table_rewrite_oid();
EXCEPTION WHEN OTHERS THEN NULL;
END $f$;
CREATE EVENT TRIGGER migration_image_trace_ddl ON ddl_command_end EXECUTE PROCEDURE ${S}.on_ddl();
CREATE EVENT TRIGGER migration_image_trace_rewrite ON table_rewrite EXECUTE PROCEDURE ${S}.on_rewrite();
SELECT 'MI_TRACE_CLOCK ' || (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
`
}

/** Everything the trace saw, as one JSON line: the events, the snapshot, and the relfilenodes that changed. */
export function traceReadSql(): string {
  return `
SELECT 'MI_TRACE ' || jsonb_build_object(
  'version', current_setting('server_version_num'),
  'events', (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.seq), '[]') FROM (SELECT * FROM ${S}.events ORDER BY seq LIMIT ${MAX_EVENTS}) e),
  'constraints', (SELECT coalesce(jsonb_agg(jsonb_build_array(tbl, name, kind, validated)), '[]') FROM ${S}.constraints),
  'not_null', (SELECT coalesce(jsonb_agg(jsonb_build_array(tbl, col)), '[]') FROM ${S}.not_null),
  'tables', (SELECT coalesce(jsonb_agg(name), '[]') FROM ${S}.relations WHERE relkind IN ('r', 'p', 'm')),
  'refiled', (SELECT coalesce(jsonb_agg(r.name), '[]') FROM ${S}.relations r JOIN pg_catalog.pg_class c ON c.oid = r.relid
     WHERE r.relkind IN ('r', 'p', 'm') AND c.relfilenode <> r.relfilenode AND c.relfilenode <> 0)
)::text;
`
}

/** The trace gone: its triggers and its schema (run before the schema dump, and on every path out). */
export function traceRemoveSql(): string {
  return `
DROP EVENT TRIGGER IF EXISTS migration_image_trace_ddl;
DROP EVENT TRIGGER IF EXISTS migration_image_trace_rewrite;
DROP SCHEMA IF EXISTS ${S} CASCADE;
`
}
