import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import { parseBaseImage } from '../image/image-ref.js'
import { hasControlCharacter } from '../text.js'

/** The database servers the apply check knows: each official image's own settings differ. */
export type DatabaseKind = 'postgres' | 'mysql' | 'mariadb'

/** Where the tools reach the database: host and port on the private network (or the URL's), and the login. */
export interface DatabaseTarget {
  readonly kind: DatabaseKind
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly name: string
}

/** The throwaway server: the image, its kind, and how it is configured, probed and dumped. */
export interface DatabaseServer {
  readonly image: string
  readonly kind: DatabaseKind
  /** Environment the image's entrypoint reads (the password among them: passed by name, never in argv). */
  readonly env: Readonly<Record<string, string>>
  readonly port: number
  readonly user: string
  readonly database: string
}

/** The database every check migrates (created by the image's entrypoint). */
export const CHECK_DATABASE = 'migrations'

/**
 * The kind from the image's repository name: the official images and their common relatives. Anything else is a
 * usage error (the check cannot guess how to start or dump it).
 */
export function databaseKind(image: string): DatabaseKind {
  const repository = image.split('@')[0].replace(/:[^/]*$/, '')
  const last = repository.split('/').at(-1) ?? ''
  if (/mariadb/.test(last)) return 'mariadb'
  if (/mysql|percona/.test(last)) return 'mysql'
  if (/postgres|postgis|timescale|^pg/.test(last)) return 'postgres'
  throw new UsageError(`database '${showName(image)}' is neither a PostgreSQL, MySQL nor MariaDB image`, {
    fix: 'use postgres:17-alpine, mysql:8.4 or mariadb:11 (or an image whose name says which it is)',
  })
}

/**
 * The throwaway server for an image, configured through each official image's documented environment:
 * - postgres (docker-library/postgres `docker-entrypoint.sh`): POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB; the
 *   init server listens on no TCP address (`listen_addresses=''`), so a TCP probe answers only once it is final.
 * - mysql (docker-library/mysql `docker-entrypoint.sh`): MYSQL_ROOT_PASSWORD, MYSQL_DATABASE; the init server runs
 *   with `--skip-networking`.
 * - mariadb (MariaDB/mariadb-docker `docker-entrypoint.sh`): MARIADB_ROOT_PASSWORD, MARIADB_DATABASE; same.
 */
export function databaseServer(image: string, password: string, what = 'database'): DatabaseServer {
  parseBaseImage(image, 'postgres:17-alpine', what)
  const kind = databaseKind(image)
  if (kind === 'postgres') {
    return {
      image,
      kind,
      env: { POSTGRES_PASSWORD: password, POSTGRES_USER: 'postgres', POSTGRES_DB: CHECK_DATABASE },
      port: 5432,
      user: 'postgres',
      database: CHECK_DATABASE,
    }
  }
  const prefix = kind === 'mysql' ? 'MYSQL' : 'MARIADB'
  return {
    image,
    kind,
    env: { [`${prefix}_ROOT_PASSWORD`]: password, [`${prefix}_DATABASE`]: CHECK_DATABASE },
    port: 3306,
    user: 'root',
    database: CHECK_DATABASE,
  }
}

/** A command run inside a container of the database image: argv and the environment it needs (by name). */
export interface ClientCommand {
  readonly argv: readonly string[]
  readonly env: Readonly<Record<string, string>>
}

// MariaDB 11 images ship only the mariadb-* client names (the mysql* links are gone); MySQL's ship mysql*.
const client = (kind: DatabaseKind, tool: 'admin' | 'dump' | 'shell'): string =>
  kind === 'mariadb' ? `mariadb${tool === 'shell' ? '' : `-${tool}`}` : `mysql${tool === 'shell' ? '' : tool}`

/** The password reaches the clients as an environment variable (PGPASSWORD, MYSQL_PWD), never as an argument. */
const passwordEnv = (target: DatabaseTarget): Record<string, string> =>
  target.kind === 'postgres' ? { PGPASSWORD: target.password } : { MYSQL_PWD: target.password }

/** Ready: the server accepts TCP connections (the init servers do not listen on TCP). */
export function readinessCommand(target: DatabaseTarget): ClientCommand {
  if (target.kind === 'postgres') {
    return {
      argv: ['pg_isready', '-q', '-h', target.host, '-p', String(target.port), '-U', target.user, '-d', target.name],
      env: passwordEnv(target),
    }
  }
  return {
    argv: [
      client(target.kind, 'admin'),
      '--protocol=tcp',
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      'ping',
    ],
    env: passwordEnv(target),
  }
}

/**
 * The schema, without data, owners, privileges or comments (BRIEF §8): `pg_dump --schema-only --no-owner
 * --no-privileges --no-comments` (PostgreSQL ≥ 11 has --no-comments); `mysqldump --no-data --skip-comments
 * --skip-dump-date --compact` (mariadb-dump takes the same options).
 */
export function dumpCommand(target: DatabaseTarget): ClientCommand {
  if (target.kind === 'postgres') {
    return {
      argv: [
        'pg_dump',
        '--schema-only',
        '--no-owner',
        '--no-privileges',
        '--no-comments',
        '-h',
        target.host,
        '-p',
        String(target.port),
        '-U',
        target.user,
        '-d',
        target.name,
      ],
      env: passwordEnv(target),
    }
  }
  return {
    argv: [
      client(target.kind, 'dump'),
      '--protocol=tcp',
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      '--no-data',
      '--skip-comments',
      '--skip-dump-date',
      '--compact',
      '--routines',
      '--triggers',
      target.name,
    ],
    env: passwordEnv(target),
  }
}

/**
 * SQL run by the database's own client: against the server's maintenance database (`postgres`; none for MySQL) to
 * create or drop the check's own, or against `database` with bare output (`psql -tA`, `mysql -N -B`) to count rows.
 */
export function sqlCommand(target: DatabaseTarget, sql: string, database?: string): ClientCommand {
  if (target.kind === 'postgres') {
    return {
      argv: [
        'psql',
        '-X',
        '-q',
        '-t',
        '-A',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        target.host,
        '-p',
        String(target.port),
        '-U',
        target.user,
        '-d',
        database ?? 'postgres',
        '-c',
        sql,
      ],
      env: passwordEnv(target),
    }
  }
  return {
    argv: [
      client(target.kind, 'shell'),
      '--protocol=tcp',
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      '-N',
      '-B',
      '-e',
      sql,
      ...(database === undefined ? [] : [database]),
    ],
    env: passwordEnv(target),
  }
}

/** A database name the check generates: quoting-free on every server. */
export const checkDatabaseName = (random: string): string => `migration_image_check_${random}`

/** CREATE / DROP of the check's own database in a `database-url` server (the name is generated, never foreign). */
export function createDatabaseSql(name: string): string {
  if (!/^migration_image_check_[a-z0-9]{8,32}$/.test(name)) throw new RangeError('not a generated database name')
  return `CREATE DATABASE ${name}`
}
export function dropDatabaseSql(kind: DatabaseKind, name: string): string {
  if (!/^migration_image_check_[a-z0-9]{8,32}$/.test(name)) throw new RangeError('not a generated database name')
  return kind === 'postgres' ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`
}

/** `database-url`, read: postgres://, postgresql://, mysql://, mariadb:// with host, optional port, user, password. */
export interface DatabaseUrl {
  readonly target: DatabaseTarget
  /** True for 127.0.0.1, ::1 and localhost: a `services:` container or a database on the runner itself. */
  readonly loopback: boolean
}

export function parseDatabaseUrl(input: string, what = 'database-url'): DatabaseUrl {
  let url: URL
  const refuse = (why: string): never => {
    throw new UsageError(`${what} ${why}`, {
      fix: 'give postgres://USER:PASSWORD@HOST:PORT/DB (or mysql://, mariadb://) of a disposable database',
    })
  }
  try {
    url = new URL(input.trim())
  } catch {
    return refuse('is not a URL')
  }
  const scheme = url.protocol.replace(/:$/, '')
  const kind: DatabaseKind | undefined =
    scheme === 'postgres' || scheme === 'postgresql'
      ? 'postgres'
      : scheme === 'mysql'
        ? 'mysql'
        : scheme === 'mariadb'
          ? 'mariadb'
          : undefined
  if (!kind) return refuse(`has the scheme '${showName(scheme)}': only postgres, mysql and mariadb are supported`)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!host || !/^[A-Za-z0-9.:-]+$/.test(host)) return refuse('has no usable host')
  const user = decodeURIComponent(url.username)
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (!user) return refuse('has no user')
  if (!/^[A-Za-z0-9_$-]{1,63}$/.test(name)) return refuse('names no database (…/DB, letters, digits, _ - $)')
  if (/\s/.test(user) || hasControlCharacter(user)) return refuse('has a space or control character in its user')
  const port = url.port ? Number(url.port) : kind === 'postgres' ? 5432 : 3306
  return {
    target: { kind, host, port, user, password: decodeURIComponent(url.password), name },
    loopback: host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host),
  }
}

/** The same server, another database. */
export const withDatabase = (target: DatabaseTarget, name: string): DatabaseTarget => ({ ...target, name })
