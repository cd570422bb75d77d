import { UsageError } from '../errors.js'
import type { DatabaseKind, DatabaseTarget } from './database.js'

/** One run of the tool's image: arguments after its entrypoint, and the environment it gets (by name). */
export interface ToolRun {
  readonly args: readonly string[]
  readonly env: Readonly<Record<string, string>>
}

/** How a tool rolls back the pull request's N new migrations, or why it cannot. */
export type RollBack =
  | { readonly kind: 'runs'; readonly runs: readonly ToolRun[]; readonly how: string }
  | { readonly kind: 'none'; readonly why: string }

export interface ToolOptions {
  /** allow-out-of-order: the flag the tool needs to apply a migration older than the database's latest. */
  readonly allowOutOfOrder: boolean
}

const enc = encodeURIComponent
const hostPort = (target: DatabaseTarget): string =>
  `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`

/** `scheme://user:password@host:port/db` with user and password percent-encoded. */
function uri(scheme: string, target: DatabaseTarget, query = ''): string {
  return `${scheme}://${enc(target.user)}:${enc(target.password)}@${hostPort(target)}/${target.name}${query}`
}

/** Go's MySQL driver DSN (go-sql-driver/mysql README "DSN"): `user:password@tcp(host:port)/db?params`. */
const goMysqlDsn = (target: DatabaseTarget, params: string): string =>
  `${target.user}:${target.password}@tcp(${hostPort(target)})/${target.name}?${params}`

/** The JDBC URL: pgjdbc `jdbc:postgresql://`, and for MySQL/MariaDB the driver the image ships. */
function jdbc(target: DatabaseTarget, mysqlDriver: 'mysql' | 'mariadb'): string {
  if (target.kind === 'postgres') return `jdbc:postgresql://${hostPort(target)}/${target.name}`
  if (mysqlDriver === 'mysql' && target.kind === 'mysql')
    // MySQL 8's caching_sha2_password over plain TCP needs the server's key (Connector/J docs, allowPublicKeyRetrieval).
    return `jdbc:mysql://${hostPort(target)}/${target.name}?allowPublicKeyRetrieval=true&useSSL=false`
  return `jdbc:mariadb://${hostPort(target)}/${target.name}`
}

const postgresOnly = (tool: string, kind: DatabaseKind): void => {
  if (kind !== 'postgres')
    throw new UsageError(`${tool} runs on PostgreSQL only, not ${kind}`, {
      fix: 'use a PostgreSQL database image (postgres:17-alpine) for the apply check',
    })
}

/**
 * The apply run per tool and database kind, as each tool documents it (BRIEF §8):
 * - atlas (atlasgo.io/cli-reference#atlas-migrate-apply): `migrate apply --dir file:///migrations --url URL`; URLs
 *   `postgres://…?sslmode=disable`, `mysql://…`, `maria://…` (atlasgo.io/concepts/url). Atlas takes the URL in argv
 *   only: the throwaway database's random password is visible to `docker inspect` of the tool container.
 * - golang-migrate (golang-migrate/migrate README "CLI usage", database/postgres and database/mysql READMEs):
 *   `-database URL up` after the preset's entrypoint `migrate -path /migrations`; MySQL takes
 *   `mysql://user:password@tcp(host:port)/db?multiStatements=true` (files with several statements need it).
 * - flyway (documentation.red-gate.com "Environment variables"): FLYWAY_URL/USER/PASSWORD, command `migrate`;
 *   `FLYWAY_OUT_OF_ORDER=true` with allow-out-of-order (Flyway refuses an older pending version otherwise).
 * - liquibase (docs.liquibase.com "Liquibase environment variables"): LIQUIBASE_COMMAND_URL/USERNAME/PASSWORD,
 *   command `update`. The 4.x image bundles the PostgreSQL and MariaDB JDBC drivers but not MySQL's (GPL: it
 *   downloads it at start with INSTALL_MYSQL=true, which the internal network forbids), so MySQL goes through the
 *   MariaDB driver, which speaks MySQL's protocol.
 * - dbmate (dbmate --help): DATABASE_URL, `--no-dump-schema up` (up creates the database when it is missing);
 *   `postgres://…?sslmode=disable`, `mysql://…` (dbmate README "PostgreSQL", "MySQL").
 * - goose via kukymbr/goose-docker (entrypoint.sh: `goose -dir=/migrations $GOOSE_EXTRA_ARGS $GOOSE_COMMAND
 *   $GOOSE_COMMAND_ARG`): GOOSE_DRIVER postgres|mysql, GOOSE_DBSTRING, GOOSE_COMMAND=up; goose's MySQL DSN is the
 *   Go driver's with parseTime=true (goose README); `-allow-missing` applies out-of-order migrations.
 * - psql (this project's runner): DATABASE_URL, no arguments; PostgreSQL only.
 */
export function applyRun(tool: string, target: DatabaseTarget, options: ToolOptions): ToolRun {
  const pgUrl = uri('postgres', target, '?sslmode=disable')
  switch (tool) {
    case 'atlas': {
      const url = target.kind === 'postgres' ? pgUrl : uri(target.kind === 'mariadb' ? 'maria' : 'mysql', target)
      return { args: ['migrate', 'apply', '--dir', 'file:///migrations', '--url', url], env: {} }
    }
    case 'golang-migrate':
      return { args: ['-database', golangMigrateUrl(target), 'up'], env: {} }
    case 'flyway':
      return {
        args: ['migrate'],
        env: {
          FLYWAY_URL: jdbc(target, 'mysql'),
          FLYWAY_USER: target.user,
          FLYWAY_PASSWORD: target.password,
          ...(options.allowOutOfOrder ? { FLYWAY_OUT_OF_ORDER: 'true' } : {}),
        },
      }
    case 'liquibase':
      return { args: ['update'], env: liquibaseEnv(target) }
    case 'dbmate':
      return { args: ['--no-dump-schema', 'up'], env: { DATABASE_URL: dbmateUrl(target) } }
    case 'goose':
      return {
        args: [],
        env: {
          ...gooseEnv(target),
          GOOSE_COMMAND: 'up',
          ...(options.allowOutOfOrder ? { GOOSE_EXTRA_ARGS: '-allow-missing' } : {}),
        },
      }
    case 'psql':
      postgresOnly('the psql runner', target.kind)
      return { args: [], env: { DATABASE_URL: pgUrl } }
    default:
      throw new UsageError(`the apply check does not know the tool '${tool}'`)
  }
}

function golangMigrateUrl(target: DatabaseTarget): string {
  return target.kind === 'postgres'
    ? uri('postgres', target, '?sslmode=disable')
    : `mysql://${goMysqlDsn(target, 'multiStatements=true')}`
}

const dbmateUrl = (target: DatabaseTarget): string =>
  target.kind === 'postgres' ? uri('postgres', target, '?sslmode=disable') : uri('mysql', target)

const liquibaseEnv = (target: DatabaseTarget): Record<string, string> => ({
  LIQUIBASE_COMMAND_URL: jdbc(target, 'mariadb'),
  LIQUIBASE_COMMAND_USERNAME: target.user,
  LIQUIBASE_COMMAND_PASSWORD: target.password,
})

const gooseEnv = (target: DatabaseTarget): Record<string, string> =>
  target.kind === 'postgres'
    ? { GOOSE_DRIVER: 'postgres', GOOSE_DBSTRING: uri('postgres', target, '?sslmode=disable') }
    : { GOOSE_DRIVER: 'mysql', GOOSE_DBSTRING: goMysqlDsn(target, 'parseTime=true&multiStatements=true') }

/**
 * Rolling back the pull request's `count` new migrations (migrations for most tools, changesets for Liquibase):
 * - golang-migrate: `down N` (plain `down` asks for confirmation; README "CLI usage").
 * - dbmate: `rollback` undoes the most recent migration only (`dbmate rollback --help`: no count), so N runs.
 * - goose: `down` undoes the most recent one (goose README "down"), N runs.
 * - liquibase: `rollback-count --count N` (docs.liquibase.com "rollback-count").
 * - atlas: `migrate down` needs a dev database (`--dev-url`) to compute the reverse: none here.
 * - flyway: `undo` is a paid edition's (Teams/Enterprise); the community image has none.
 * - psql: the runner ships no down files.
 */
export function rollBack(tool: string, target: DatabaseTarget, count: number): RollBack {
  if (count <= 0) return { kind: 'none', why: 'no new migration to roll back' }
  const repeat = (run: ToolRun): ToolRun[] => Array.from({ length: count }, () => run)
  switch (tool) {
    case 'golang-migrate':
      return {
        kind: 'runs',
        runs: [{ args: ['-database', golangMigrateUrl(target), 'down', String(count)], env: {} }],
        how: `down ${count}`,
      }
    case 'dbmate':
      return {
        kind: 'runs',
        runs: repeat({ args: ['--no-dump-schema', 'rollback'], env: { DATABASE_URL: dbmateUrl(target) } }),
        how: `rollback × ${count}`,
      }
    case 'goose':
      return {
        kind: 'runs',
        runs: repeat({ args: [], env: { ...gooseEnv(target), GOOSE_COMMAND: 'down' } }),
        how: `down × ${count}`,
      }
    case 'liquibase':
      return {
        kind: 'runs',
        runs: [{ args: ['rollback-count', `--count=${count}`], env: liquibaseEnv(target) }],
        how: `rollback-count --count=${count}`,
      }
    case 'atlas':
      return { kind: 'none', why: 'atlas migrate down needs a dev database (--dev-url) to plan the reverse' }
    case 'flyway':
      return { kind: 'none', why: "Flyway's undo is in the paid editions only; the community image has no down" }
    case 'psql':
      return { kind: 'none', why: 'the psql runner applies up migrations only (no down files ship)' }
    default:
      return { kind: 'none', why: `no down command known for ${tool}` }
  }
}

/** Each tool's bookkeeping tables (BRIEF §8): left out of the schema diff. */
export const BOOKKEEPING_TABLES: Readonly<Record<string, readonly string[]>> = {
  atlas: ['atlas_schema_revisions'],
  'golang-migrate': ['schema_migrations'],
  dbmate: ['schema_migrations'],
  flyway: ['flyway_schema_history'],
  liquibase: ['databasechangelog', 'databasechangeloglock'],
  goose: ['goose_db_version'],
  psql: ['migration_image_versions'],
}
