import { describe, expect, it } from 'vitest'
import {
  databaseKind,
  databaseServer,
  dumpCommand,
  parseDatabaseUrl,
  readinessCommand,
  type DatabaseTarget,
} from '../src/core/apply/database.js'
import { parseFailure, positionLine, statementLine } from '../src/core/apply/failure.js'
import { planApplyCheck } from '../src/core/apply/plan.js'
import { normaliseSchema, unifiedDiff } from '../src/core/apply/schema.js'
import { applyRun, BOOKKEEPING_TABLES, rollBack } from '../src/core/apply/tools.js'

const pg: DatabaseTarget = {
  kind: 'postgres',
  host: '172.18.0.2',
  port: 5432,
  user: 'postgres',
  password: 'p@ss',
  name: 'migrations',
}
const mysql: DatabaseTarget = {
  kind: 'mysql',
  host: '172.18.0.2',
  port: 3306,
  user: 'root',
  password: 'pw',
  name: 'migrations',
}
const maria: DatabaseTarget = { ...mysql, kind: 'mariadb' }
const options = { allowOutOfOrder: false }

describe('apply check: the database', () => {
  it('tells the kind from the image name', () => {
    expect(databaseKind('postgres:17-alpine')).toBe('postgres')
    expect(databaseKind('127.0.0.1:5055/db/postgres:15')).toBe('postgres')
    expect(databaseKind('postgis/postgis:16-3.4')).toBe('postgres')
    expect(databaseKind('mysql:8.4')).toBe('mysql')
    expect(databaseKind('mariadb:11@sha256:' + 'a'.repeat(64))).toBe('mariadb')
    expect(() => databaseKind('redis:7')).toThrow(/neither a PostgreSQL, MySQL nor MariaDB image/)
  })

  it("configures each official image through its entrypoint's variables", () => {
    expect(databaseServer('postgres:17-alpine', 'x').env).toEqual({
      POSTGRES_PASSWORD: 'x',
      POSTGRES_USER: 'postgres',
      POSTGRES_DB: 'migrations',
    })
    expect(databaseServer('mysql:8.4', 'x').env).toEqual({ MYSQL_ROOT_PASSWORD: 'x', MYSQL_DATABASE: 'migrations' })
    expect(databaseServer('mariadb:11', 'x').env).toEqual({
      MARIADB_ROOT_PASSWORD: 'x',
      MARIADB_DATABASE: 'migrations',
    })
    expect(() => databaseServer('postgres', 'x')).toThrow(/^database 'postgres' has no tag$/)
    expect(() => databaseServer('postgres:latest', 'x')).toThrow(/uses 'latest', which changes under you/)
  })

  it('probes and dumps with the password in the environment, never in argv', () => {
    expect(readinessCommand(pg)).toEqual({
      argv: ['pg_isready', '-q', '-h', '172.18.0.2', '-p', '5432', '-U', 'postgres', '-d', 'migrations'],
      env: { PGPASSWORD: 'p@ss' },
    })
    expect(readinessCommand(maria).argv[0]).toBe('mariadb-admin')
    expect(readinessCommand(mysql).argv[0]).toBe('mysqladmin')
    expect(dumpCommand(pg).argv.slice(0, 5)).toEqual([
      'pg_dump',
      '--schema-only',
      '--no-owner',
      '--no-privileges',
      '--no-comments',
    ])
    expect(dumpCommand(maria).argv[0]).toBe('mariadb-dump')
    expect(dumpCommand(mysql).argv).toContain('--skip-dump-date')
    for (const target of [pg, mysql, maria]) expect(dumpCommand(target).argv.join(' ')).not.toContain(target.password)
  })

  it('reads database-url and tells loopback apart', () => {
    expect(parseDatabaseUrl('postgres://app:s%40cret@127.0.0.1:54329/app?sslmode=disable')).toEqual({
      target: { kind: 'postgres', host: '127.0.0.1', port: 54329, user: 'app', password: 's@cret', name: 'app' },
      loopback: true,
    })
    expect(parseDatabaseUrl('mysql://root:pw@localhost/db').target.port).toBe(3306)
    expect(parseDatabaseUrl('postgresql://u:p@db.example.com/x').loopback).toBe(false)
    expect(() => parseDatabaseUrl('redis://u@h/x')).toThrow(/only postgres, mysql and mariadb/)
    expect(() => parseDatabaseUrl('postgres://u@h/')).toThrow(/names no database/)
    expect(() => parseDatabaseUrl('nonsense')).toThrow(/is not a URL/)
  })
})

describe('apply check: each tool against each database kind', () => {
  it('atlas: migrate apply with the URL in argv (postgres, mysql, maria schemes)', () => {
    expect(applyRun('atlas', pg, options)).toEqual({
      args: [
        'migrate',
        'apply',
        '--dir',
        'file:///migrations',
        '--url',
        'postgres://postgres:p%40ss@172.18.0.2:5432/migrations?sslmode=disable',
      ],
      env: {},
    })
    expect(applyRun('atlas', mysql, options).args.at(-1)).toBe('mysql://root:pw@172.18.0.2:3306/migrations')
    expect(applyRun('atlas', maria, options).args.at(-1)).toBe('maria://root:pw@172.18.0.2:3306/migrations')
    expect(rollBack('atlas', pg, 2)).toMatchObject({ kind: 'none', why: expect.stringContaining('--dev-url') })
  })

  it('golang-migrate: -database URL up, down N; the MySQL DSN with tcp() and multiStatements', () => {
    expect(applyRun('golang-migrate', pg, options)).toEqual({
      args: ['-database', 'postgres://postgres:p%40ss@172.18.0.2:5432/migrations?sslmode=disable', 'up'],
      env: {},
    })
    expect(applyRun('golang-migrate', mysql, options).args[1]).toBe(
      'mysql://root:pw@tcp(172.18.0.2:3306)/migrations?multiStatements=true',
    )
    expect(rollBack('golang-migrate', pg, 3)).toEqual({
      kind: 'runs',
      runs: [{ args: ['-database', applyRun('golang-migrate', pg, options).args[1], 'down', '3'], env: {} }],
      how: 'down 3',
    })
  })

  it('flyway: migrate with FLYWAY_* (JDBC URLs per kind), out-of-order when allowed, no down', () => {
    expect(applyRun('flyway', pg, options)).toEqual({
      args: ['migrate'],
      env: {
        FLYWAY_URL: 'jdbc:postgresql://172.18.0.2:5432/migrations',
        FLYWAY_USER: 'postgres',
        FLYWAY_PASSWORD: 'p@ss',
      },
    })
    expect(applyRun('flyway', mysql, options).env.FLYWAY_URL).toBe(
      'jdbc:mysql://172.18.0.2:3306/migrations?allowPublicKeyRetrieval=true&useSSL=false',
    )
    expect(applyRun('flyway', maria, options).env.FLYWAY_URL).toBe('jdbc:mariadb://172.18.0.2:3306/migrations')
    expect(applyRun('flyway', pg, { allowOutOfOrder: true }).env.FLYWAY_OUT_OF_ORDER).toBe('true')
    expect(rollBack('flyway', pg, 1).kind).toBe('none')
  })

  it('liquibase: update with LIQUIBASE_COMMAND_*, MySQL through the bundled MariaDB driver, rollback-count', () => {
    expect(applyRun('liquibase', pg, options)).toEqual({
      args: ['update'],
      env: {
        LIQUIBASE_COMMAND_URL: 'jdbc:postgresql://172.18.0.2:5432/migrations',
        LIQUIBASE_COMMAND_USERNAME: 'postgres',
        LIQUIBASE_COMMAND_PASSWORD: 'p@ss',
      },
    })
    expect(applyRun('liquibase', mysql, options).env.LIQUIBASE_COMMAND_URL).toBe(
      'jdbc:mariadb://172.18.0.2:3306/migrations',
    )
    const back = rollBack('liquibase', pg, 2)
    expect(back.kind === 'runs' && back.runs.map(({ args }) => args)).toEqual([['rollback-count', '--count=2']])
  })

  it('dbmate: up and one rollback per new migration', () => {
    expect(applyRun('dbmate', pg, options)).toEqual({
      args: ['--no-dump-schema', 'up'],
      env: { DATABASE_URL: 'postgres://postgres:p%40ss@172.18.0.2:5432/migrations?sslmode=disable' },
    })
    expect(applyRun('dbmate', maria, options).env.DATABASE_URL).toBe('mysql://root:pw@172.18.0.2:3306/migrations')
    const back = rollBack('dbmate', pg, 2)
    expect(back.kind === 'runs' && back.runs.map(({ args }) => args)).toEqual([
      ['--no-dump-schema', 'rollback'],
      ['--no-dump-schema', 'rollback'],
    ])
  })

  it("goose: goose-docker's GOOSE_* variables, -allow-missing for out-of-order, down per migration", () => {
    expect(applyRun('goose', pg, options)).toEqual({
      args: [],
      env: {
        GOOSE_DRIVER: 'postgres',
        GOOSE_DBSTRING: 'postgres://postgres:p%40ss@172.18.0.2:5432/migrations?sslmode=disable',
        GOOSE_COMMAND: 'up',
      },
    })
    expect(applyRun('goose', mysql, { allowOutOfOrder: true }).env).toEqual({
      GOOSE_DRIVER: 'mysql',
      GOOSE_DBSTRING: 'root:pw@tcp(172.18.0.2:3306)/migrations?parseTime=true&multiStatements=true',
      GOOSE_COMMAND: 'up',
      GOOSE_EXTRA_ARGS: '-allow-missing',
    })
    const back = rollBack('goose', pg, 2)
    expect(back.kind === 'runs' && back.runs.map(({ env }) => env.GOOSE_COMMAND)).toEqual(['down', 'down'])
  })

  it('psql: DATABASE_URL, PostgreSQL only, no down', () => {
    expect(applyRun('psql', pg, options)).toEqual({
      args: [],
      env: { DATABASE_URL: 'postgres://postgres:p%40ss@172.18.0.2:5432/migrations?sslmode=disable' },
    })
    expect(() => applyRun('psql', mysql, options)).toThrow(/PostgreSQL only/)
    expect(rollBack('psql', pg, 1).kind).toBe('none')
  })

  it('knows every bookkeeping table', () => {
    expect(BOOKKEEPING_TABLES.liquibase).toEqual(['databasechangelog', 'databasechangeloglock'])
    expect(Object.keys(BOOKKEEPING_TABLES).sort()).toEqual(
      ['atlas', 'dbmate', 'flyway', 'golang-migrate', 'goose', 'liquibase', 'psql'].sort(),
    )
  })
})

const ORDERS =
  'CREATE TABLE a (id int);\n\nCREATE TABLE orders (\n  id int,\n  user_id int REFERENCS users(id)\n);\nSELECT 1;\n'
const read = (files: Record<string, string>) => (name: string) => files[name]

describe('apply check: where a failure is', () => {
  it('psql: FILE:LINE is where the statement ended; the quoted LINE k is found in the file', () => {
    // Recorded from psql 15 running `\i /migrations/2_orders.sql` with ON_ERROR_STOP.
    const output =
      'psql:/migrations/2_orders.sql:6: ERROR:  syntax error at or near "REFERENCS"\nLINE 3:   user_id int REFERENCS users(id)\n                      ^\nmigrate: 2_orders.sql failed; it was rolled back and nothing after it ran\n'
    expect(
      parseFailure('psql', output, {
        migrationsDir: '/migrations',
        read: read({ '2_orders.sql': ORDERS }),
        files: ['1_a.sql', '2_orders.sql'],
      }),
    ).toEqual({ file: '2_orders.sql', line: 5, message: 'syntax error at or near "REFERENCS"' })
    // Without a LINE (a run-time error), the printed line stands.
    const nulls = 'psql:/migrations/3_b.sql:3: ERROR:  column "name" of relation "b" contains null values\n'
    expect(parseFailure('psql', nulls, { migrationsDir: '/migrations', read: read({}), files: ['3_b.sql'] })).toEqual({
      file: '3_b.sql',
      line: 3,
      message: 'column "name" of relation "b" contains null values',
    })
  })

  it('dbmate: the last Applying line names the file; line: L is the file line', () => {
    // Recorded from dbmate 2.36.0 on PostgreSQL 15.
    const output =
      'Applying: 20240102000000_orders.sql\nError: line: 4, column: 15, position: 61: pq: syntax error at or near "REFERENCS" at position 4:15 (42601)\n'
    expect(
      parseFailure('dbmate', output, {
        migrationsDir: '/db/migrations',
        read: read({}),
        files: ['20240101000000_users.sql', '20240102000000_orders.sql'],
      }),
    ).toEqual({
      file: '20240102000000_orders.sql',
      line: 4,
      message: 'pq: syntax error at or near "REFERENCS" at position 4:15 (42601)',
    })
    const noLine = 'Applying: 20240102000000_orders.sql\nError: pq: relation "userz" does not exist (42P01)\n'
    expect(
      parseFailure('dbmate', noLine, {
        migrationsDir: '/db/migrations',
        read: read({}),
        files: ['20240102000000_orders.sql'],
      }),
    ).toEqual({
      file: '20240102000000_orders.sql',
      line: undefined,
      message: 'pq: relation "userz" does not exist (42P01)',
    })
  })

  it('golang-migrate: in line N (database/error.go), the file from the run', () => {
    const output =
      '1/u users (4.1ms)\nerror: migration failed: syntax error at or near "REFERENCS" (column 15) in line 4: CREATE TABLE orders (\n  id int,\n  user_id int REFERENCS users(id)\n); (details: pq: syntax error at or near "REFERENCS")\n'
    expect(
      parseFailure('golang-migrate', output, {
        migrationsDir: '/migrations',
        read: read({}),
        files: ['1_users.up.sql', '2_orders.up.sql'],
        fallback: '2_orders.up.sql',
      }),
    ).toEqual({
      file: '2_orders.up.sql',
      line: 4,
      message: 'migration failed: syntax error at or near "REFERENCS" (column 15)',
    })
  })

  it('flyway: Location and Line (FlywaySqlScriptException.getMessage)', () => {
    const output = [
      'ERROR: Migration of schema "public" to version "2 - orders" failed! Changes successfully rolled back.',
      'ERROR: Migration V2__orders.sql failed',
      '--------------------------------',
      'SQL State  : 42601',
      'Error Code : 0',
      'Message    : ERROR: syntax error at or near "REFERENCS"',
      '  Position: 52',
      'Location   : /flyway/sql/V2__orders.sql (/flyway/sql/V2__orders.sql)',
      'Line       : 3',
      'Statement  : CREATE TABLE orders (',
      '',
    ].join('\n')
    expect(
      parseFailure('flyway', output, {
        migrationsDir: '/flyway/sql',
        read: read({}),
        files: ['V1__a.sql', 'V2__orders.sql'],
      }),
    ).toEqual({ file: 'V2__orders.sql', line: 3, message: 'ERROR: syntax error at or near "REFERENCS"' })
  })

  it('liquibase: the changeset names the file; the position within the failed SQL gives the line', () => {
    const sql =
      '--liquibase formatted sql\n\n--changeset dev:2\nCREATE TABLE orders (\n  id int,\n  user_id int REFERENCS users(id)\n);\n'
    const output = [
      'Running Changeset: changes/2_orders.sql::2::dev',
      'ERROR: Exception Primary Class:  PSQLException',
      'Unexpected error running Liquibase: Migration failed for changeset changes/2_orders.sql::2::dev:',
      '     Reason: liquibase.exception.DatabaseException: ERROR: syntax error at or near "REFERENCS"',
      '  Position: 45 [Failed SQL: (0) CREATE TABLE orders (',
      '  id int,',
      '  user_id int REFERENCS users(id)',
      ')]',
    ].join('\n')
    expect(
      parseFailure('liquibase', output, {
        migrationsDir: '/liquibase/changelog',
        read: read({ 'changes/2_orders.sql': sql }),
        files: ['changelog.xml', 'changes/2_orders.sql'],
      }),
    ).toEqual({ file: 'changes/2_orders.sql', line: 6, message: 'ERROR: syntax error at or near "REFERENCS"' })
  })

  it('goose: ERROR FILE and the quoted statement', () => {
    const goose =
      '2025/03/18 14:50:01 goose run: ERROR 002_users.sql: failed to run SQL migration: failed to execute SQL query "CREATE TABLE users (\\n    id UUID PRIMARY KEY NOT NULL\\n);": ERROR: relation "users" already exists (SQLSTATE 42P07)\n'
    const file = '-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE users (\n    id UUID PRIMARY KEY NOT NULL\n);\n'
    expect(
      parseFailure('goose', goose, {
        migrationsDir: '/migrations',
        read: read({ '002_users.sql': file }),
        files: ['002_users.sql'],
      }),
    ).toEqual({ file: '002_users.sql', line: 3, message: 'ERROR: relation "users" already exists (SQLSTATE 42P07)' })
  })

  it('atlas: the version names the file, the statement gives the line', () => {
    const output =
      'Error: sql/migrate: executing statement "CREATE TABLE orders (id int REFERENCES userz(id));" from version "2": pq: relation "userz" does not exist\n'
    expect(
      parseFailure('atlas', output, {
        migrationsDir: '/migrations',
        read: read({ '2_orders.sql': '-- orders\nCREATE TABLE orders (id int REFERENCES userz(id));\n' }),
        files: ['1_users.sql', '2_orders.sql'],
      }),
    ).toEqual({ file: '2_orders.sql', line: 2, message: 'pq: relation "userz" does not exist' })
  })

  it('falls back to the run’s migration and never points at a file outside the run', () => {
    expect(
      parseFailure('psql', 'psql:/etc/passwd:1: ERROR:  x\n', {
        migrationsDir: '/migrations',
        read: read({}),
        files: ['1.sql'],
        fallback: '1.sql',
      }),
    ).toEqual({ file: '1.sql', line: undefined, message: 'x' })
  })

  it('maps statements and positions into the file', () => {
    expect(statementLine(ORDERS, 'CREATE TABLE orders (\n  id int,')).toBe(3)
    expect(positionLine(ORDERS, 'CREATE TABLE orders (\n  id int,\n  user_id int REFERENCS users(id)\n)', 45)).toBe(5)
    expect(statementLine(ORDERS, 'DROP TABLE nothing')).toBeUndefined()
  })
})

describe('apply check: the schema diff', () => {
  const dump = [
    '--',
    '-- PostgreSQL database dump',
    '--',
    '\\restrict 3nL0xN8a',
    'SET statement_timeout = 0;',
    "SELECT pg_catalog.set_config('search_path', '', false);",
    'CREATE TABLE public.schema_migrations (',
    '    version character varying NOT NULL',
    ');',
    'ALTER TABLE public.users OWNER TO postgres;',
    'CREATE TABLE public.users (',
    '    id integer',
    ');',
    'ALTER TABLE ONLY public.schema_migrations',
    '    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);',
    'CREATE FUNCTION public.f() RETURNS integer',
    '    LANGUAGE plpgsql',
    '    AS $$',
    'BEGIN',
    '  RETURN 1;',
    'END;',
    '$$;',
    "COMMENT ON TABLE public.users IS 'people';",
    'GRANT ALL ON TABLE public.users TO app;',
    '\\unrestrict 3nL0xN8a',
    '',
  ].join('\n')

  it('keeps statements only, without owners, privileges, comments or the bookkeeping table', () => {
    expect(normaliseSchema(dump, 'postgres', BOOKKEEPING_TABLES.dbmate)).toBe(
      [
        'CREATE TABLE public.users (',
        '    id integer',
        ');',
        '',
        'CREATE FUNCTION public.f() RETURNS integer',
        '    LANGUAGE plpgsql',
        '    AS $$',
        'BEGIN',
        '  RETURN 1;',
        'END;',
        '$$;',
        '',
      ].join('\n'),
    )
    // Two dumps of the same schema with different restrict keys are equal.
    expect(normaliseSchema(dump.replace(/3nL0xN8a/g, 'other'), 'postgres', [])).toBe(
      normaliseSchema(dump, 'postgres', []),
    )
  })

  it('mysqldump: versioned comments and AUTO_INCREMENT counters go', () => {
    const mysqlDump =
      '/*!40101 SET @saved_cs_client     = @@character_set_client */;\nCREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4;\nCREATE TABLE `schema_migrations` (\n  `version` varchar(128) NOT NULL\n) ENGINE=InnoDB;\n'
    expect(normaliseSchema(mysqlDump, 'mysql', ['schema_migrations'])).toBe(
      'CREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n',
    )
  })

  it('a unified diff with hunks and context; empty when equal', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n'
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\ni\n'
    expect(unifiedDiff(before, after)).toBe(
      ['--- before', '+++ after', '@@ -2,7 +2,8 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', '+i', ''].join(
        '\n',
      ),
    )
    expect(unifiedDiff('', 'x\n')).toBe('--- before\n+++ after\n@@ -0,0 +1,1 @@\n+x\n')
    expect(unifiedDiff('same\n', 'same\n')).toBe('')
  })
})

describe('apply check: the plan', () => {
  const migration = (name: string, version: string) => ({ name, version, size: 1, ignored: false })
  const head = [
    migration('1_a.sql', '1'),
    migration('2_b.sql', '2'),
    migration('3_c.sql', '3'),
    migration('4_d.sql', '4'),
  ]

  it('base first, then each new migration on top; the last run is the image itself', () => {
    expect(planApplyCheck({ tool: 'dbmate', format: 'dbmate', head, base: ['1_a.sql', '2_b.sql'] })).toEqual({
      base: ['1_a.sql', '2_b.sql'],
      added: ['3_c.sql', '4_d.sql'],
      steps: [
        { adds: ['3_c.sql'], subset: ['1_a.sql', '2_b.sql', '3_c.sql'] },
        { adds: ['4_d.sql'], subset: undefined },
      ],
      neverApplied: [],
    })
  })

  it('a push runs the whole directory once; liquibase runs its new changesets as one step', () => {
    expect(planApplyCheck({ tool: 'psql', format: 'psql', head }).steps).toEqual([
      { adds: ['1_a.sql', '2_b.sql', '3_c.sql', '4_d.sql'] },
    ])
    expect(planApplyCheck({ tool: 'liquibase', format: 'liquibase', head, base: ['1_a.sql'] }).steps).toEqual([
      { adds: ['2_b.sql', '3_c.sql', '4_d.sql'] },
    ])
  })

  it('golang-migrate never applies an out-of-order version: said on the file', () => {
    const plan = planApplyCheck({
      tool: 'golang-migrate',
      format: 'golang-migrate',
      head: [migration('1_a.up.sql', '1'), migration('2_b.up.sql', '2'), migration('3_c.up.sql', '3')],
      base: ['1_a.up.sql', '3_c.up.sql'],
    })
    expect(plan.neverApplied).toEqual([{ file: '2_b.up.sql', why: expect.stringContaining('never applies version 2') }])
    expect(
      planApplyCheck({ tool: 'dbmate', format: 'dbmate', head, base: ['1_a.sql', '4_d.sql'] }).neverApplied,
    ).toEqual([])
  })
})
