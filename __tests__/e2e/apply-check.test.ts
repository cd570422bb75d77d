import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { dockerStatus, psqlAt, realEnv } from '../helpers/real-env.js'
import { pullRequestEvent, runAction, runPost, type ActionRun } from '../helpers/runner.js'
import { makeDir } from '../helpers/tmp.js'
import { pullRequest, type Files } from '../helpers/pull-request.js'

// The apply check through dist/ on the real engine: the database is the test env's PostgreSQL server image (built
// from Debian's packages, scripts/test-env-db.sh), the tools are the psql runner on the Debian psql base and dbmate's
// real binary. Only GitHub's event payload is made up (a pull_request event, as the runner writes it).
const env = realEnv()
const ALLOWED_SECRET = 'input-password-must-not-leak-0123456789'
const RUNTIME_TOKEN = 'runtime-token-must-not-leak-0123456789'

function runCheck(
  pr: { repo: string; base: string; head: string },
  inputs: Record<string, string>,
  options: { fork?: boolean; path?: string } = {},
): ActionRun {
  const run = runAction({
    cwd: pr.repo,
    inputs: {
      image: `${env.MI_REGISTRY}/apply/${inputs.tool}`,
      username: env.MI_REGISTRY_USER,
      password: options.fork ? ALLOWED_SECRET : env.MI_REGISTRY_PASSWORD,
      'apply-check': 'true',
      database: env.MI_DB_POSTGRES,
      ...inputs,
    },
    payload: pullRequestEvent({ ...pr, headRepo: options.fork ? 'stranger/api' : 'acme/api' }),
    env: {
      PATH: options.path ? `${options.path}:${env.PATH}` : env.PATH,
      DOCKER_HOST: env.DOCKER_HOST,
      HOME: makeDir(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_SHA: pr.head,
      GITHUB_REPOSITORY: 'acme/api',
      // What a runner hands a node action: none of it may reach the containers.
      ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
      GITHUB_TOKEN: RUNTIME_TOKEN,
    },
  })
  const post = runPost(run, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, pr.repo)
  expect(post.status, post.stderr).toBe(0)
  return run
}

/** What an earlier run on this machine may have left (a run killed mid-check): not this run's to answer for. */
const leftBefore = {
  containers: new Set(listed(['ps', '-aq', '--filter', 'label=migration-image.apply'])),
  networks: new Set(listed(['network', 'ls', '-q', '--filter', 'name=migration-image-apply-'])),
}

function listed(args: string[]): string[] {
  const ran = dockerStatus(env, args)
  expect(ran.status, ran.stderr).toBe(0)
  return ran.stdout.split('\n').filter((id) => id !== '')
}

/** Nothing of this run's apply checks is left: no new container with its label, no new network with its prefix. */
function assertNothingLeft(): void {
  const containers = listed(['ps', '-aq', '--filter', 'label=migration-image.apply'])
  expect(containers.filter((id) => !leftBefore.containers.has(id))).toEqual([])
  const networks = listed(['network', 'ls', '-q', '--filter', 'name=migration-image-apply-'])
  expect(networks.filter((id) => !leftBefore.networks.has(id))).toEqual([])
}

const errors = (run: ActionRun): string[] => run.stdout.split('\n').filter((line) => line.startsWith('::error'))

const psqlInputs = { tool: 'psql', dir: 'migrations', 'base-image': env.MI_BASE_PSQL }
const USERS = 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL\n);\n'
const psqlBase: Files = { '1_users.up.sql': USERS, '1_users.down.sql': 'DROP TABLE users;\n' }

describe('apply check: the psql runner on a throwaway PostgreSQL', () => {
  it('a good pull request passes and the summary shows the schema it adds', () => {
    const pr = pullRequest(
      'migrations',
      psqlBase,
      {
        '2_orders.up.sql':
          'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  user_id bigint REFERENCES users (id)\n);\n',
      },
      'golang-migrate',
    )
    const run = runCheck(pr, psqlInputs)
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.summary).toContain('### Apply check — ✅ passed')
    expect(run.summary).toMatch(/\| Base migrations \(main\) \| 1 applied in [\d.]+ s ✅ \|/)
    expect(run.summary).toMatch(/\| <code>2&#95;orders\.up\.sql<\/code> \| [\d.]+ s \| ✅ \|/)
    expect(run.summary).toContain('➖ the psql runner applies up migrations only (no down files ship)')
    expect(run.summary).toContain('<details><summary>Schema change (+')
    expect(run.summary).toContain('+CREATE TABLE public.orders (')
    expect(run.summary).toContain(
      '+    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);',
    )
    // The runner's own bookkeeping table is not part of the change.
    expect(run.summary).not.toContain('migration_image_versions')
    assertNothingLeft()
  }, 300_000)

  it('a syntax error fails with an annotation on the file and line', () => {
    const pr = pullRequest(
      'migrations',
      psqlBase,
      {
        '2_orders.up.sql':
          'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  user_id bigint REFERENCS users (id)\n);\n',
      },
      'golang-migrate',
    )
    const run = runCheck(pr, psqlInputs)
    expect(run.status).toBe(1)
    expect(errors(run)).toContain(
      '::error title=migration-image apply check (migration failed),file=migrations/2_orders.up.sql,line=3::syntax error at or near "REFERENCS"',
    )
    expect(run.summary).toContain('### Apply check — ❌ failed')
    expect(run.summary).toContain('<code>migrations/2&#95;orders.up.sql:3</code> syntax error at or near "REFERENCS"')
    assertNothingLeft()
  }, 300_000)

  it("a migration that conflicts with the base's schema fails", () => {
    const pr = pullRequest(
      'migrations',
      psqlBase,
      { '2_users_again.up.sql': 'CREATE TABLE users (id int);\n' },
      'golang-migrate',
    )
    const run = runCheck(pr, psqlInputs)
    expect(run.status).toBe(1)
    expect(errors(run)).toContain(
      '::error title=migration-image apply check (migration failed),file=migrations/2_users_again.up.sql,line=1::relation "users" already exists',
    )
    assertNothingLeft()
  }, 300_000)

  it("an out-of-order migration allowed by allow-out-of-order runs after the base's, as production would", () => {
    const pr = pullRequest(
      'migrations',
      { ...psqlBase, '3_audit.up.sql': 'CREATE TABLE audit (id int);\n' },
      { '2_orders.up.sql': 'CREATE TABLE orders (id bigint REFERENCES users (id));\n' },
      'golang-migrate',
    )
    const run = runCheck(pr, { ...psqlInputs, 'allow-out-of-order': 'true' })
    expect(run.status, run.stdout).toBe(0)
    expect(run.summary).toMatch(/\| Base migrations \(main\) \| 2 applied/)
    expect(run.summary).toMatch(/\| <code>2&#95;orders\.up\.sql<\/code> \| [\d.]+ s \| ✅ \|/)
    // The base's run applied 1 and 3; the new run applied 2 only (the runner skips what is recorded).
    const log = run.stdout
    expect(log.indexOf('applied 3_audit.up.sql')).toBeGreaterThan(-1)
    expect(log.indexOf('applied 2_orders.up.sql')).toBeGreaterThan(log.indexOf('applied 3_audit.up.sql'))
    assertNothingLeft()
  }, 300_000)

  it('a fork pull request: no secret, token or workspace reaches the containers', () => {
    // A recording docker in front of the real one: every argv the action gave docker.
    const bin = makeDir()
    const record = path.join(bin, 'argv.log')
    writeFileSync(
      path.join(bin, 'docker'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${record}'\nexec '${env.DOCKER_BIN}' "$@"\n`,
    )
    chmodSync(path.join(bin, 'docker'), 0o755)
    // The pull request's SQL prints the tool container's environment and mounts (psql's \! runs a shell command).
    const pr = pullRequest(
      'migrations',
      psqlBase,
      // (the runner keeps psql's stdout to itself: the spy writes to stderr, which the action's log shows)
      {
        '2_spy.up.sql':
          '\\! (echo SPY-ENV; env; echo SPY-MOUNTS; cat /proc/self/mounts; echo SPY-END) >&2\nSELECT 1;\n',
      },
      'golang-migrate',
    )
    const run = runCheck(pr, psqlInputs, { fork: true, path: bin })
    expect(run.status, run.stdout).toBe(0)
    const seen = run.stdout.slice(run.stdout.indexOf('SPY-ENV'), run.stdout.indexOf('SPY-END'))
    expect(seen).toContain('DATABASE_URL=postgres://postgres:')
    for (const secret of [ALLOWED_SECRET, RUNTIME_TOKEN, env.MI_REGISTRY_PASSWORD]) expect(seen).not.toContain(secret)
    expect(seen).not.toMatch(/^(INPUT_|GITHUB_|ACTIONS_|RUNNER_|DOCKER_)/m)
    expect(seen).not.toContain(pr.repo)
    // What docker was asked: variables by name only, no env file, no mount but a staged copy, private networks.
    const runs = readFileSync(record, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('run ') && line.includes('migration-image.apply'))
    expect(runs.length).toBeGreaterThanOrEqual(3)
    for (const line of runs) {
      expect(line).not.toMatch(/ -e [A-Z_]+=/)
      expect(line).not.toContain('--env-file')
      expect(line).not.toContain(pr.repo)
      expect(line).not.toContain('-v ')
      expect(line).toMatch(/--network=migration-image-apply-[0-9a-f]{12} /)
      expect(line).toContain('--memory=1g --pids-limit=512')
      for (const secret of [ALLOWED_SECRET, RUNTIME_TOKEN]) expect(line).not.toContain(secret)
    }
    const network = readFileSync(record, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('network create'))
    expect(network).toContain('--internal')
    assertNothingLeft()
  }, 300_000)

  it('a hung migration: apply-timeout ends it and removes every container', () => {
    const pr = pullRequest('migrations', psqlBase, { '2_sleep.up.sql': 'SELECT pg_sleep(600);\n' }, 'golang-migrate')
    const started = Date.now()
    const run = runCheck(pr, { ...psqlInputs, 'apply-timeout': '90s' })
    expect(run.status).toBe(1)
    expect(Date.now() - started).toBeLessThan(280_000)
    expect(errors(run).join('\n')).toContain(
      '::error title=migration-image apply check (apply-timeout),file=migrations/2_sleep.up.sql::did not finish: apply-timeout (90 s) ended the check while applying 2_sleep.up.sql',
    )
    assertNothingLeft()
  }, 300_000)

  it('database-url: the loopback PostgreSQL, in a database of its own that is dropped afterwards', () => {
    const pr = pullRequest(
      'migrations',
      psqlBase,
      { '2_orders.up.sql': 'CREATE TABLE orders (id int);\n' },
      'golang-migrate',
    )
    const run = runCheck(pr, { ...psqlInputs, 'database-url': env.MI_PG_URL })
    expect(run.status, run.stdout).toBe(0)
    expect(run.summary).toContain(`<code>database-url (postgres at 127.0.0.1:${env.MI_PG_PORT})</code>`)
    expect(run.summary).toContain('+CREATE TABLE public.orders (')
    // The URL's password is masked (the runner hides what ::add-mask:: names) and never echoed by the check.
    expect(run.stdout).toContain(`::add-mask::${env.MI_PG_PASSWORD}`)
    const logged = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))
    expect(logged.join('\n')).not.toContain(env.MI_PG_PASSWORD)
    expect(psqlAt(env.MI_PG_URL, "SELECT count(*) FROM pg_database WHERE datname LIKE 'migration_image_check_%'")).toBe(
      '0',
    )
    assertNothingLeft()
  }, 300_000)
})

const dbmateInputs = { tool: 'dbmate', dir: 'db/migrations', 'base-image': env.MI_BASE_DBMATE }
const dbmateBase: Files = {
  '20240101000000_users.sql':
    '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE users;\n',
}

describe('apply check: dbmate and its down/up round trip', () => {
  it('a good pull request passes the round trip', () => {
    const pr = pullRequest(
      'db/migrations',
      dbmateBase,
      {
        '20240102000000_orders.sql':
          '-- migrate:up\nCREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user ON orders (user_id);\n\n-- migrate:down\nDROP TABLE orders;\n',
        '20240103000000_notes.sql':
          '-- migrate:up\nALTER TABLE users ADD COLUMN note text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN note;\n',
      },
      'dbmate',
    )
    const run = runCheck(pr, dbmateInputs)
    expect(run.status, run.stdout).toBe(0)
    expect(run.summary).toMatch(
      /\| Down\/up round trip \| ✅ rollback × 2 \([\d.]+ s\), then up again \([\d.]+ s\): same schema \|/,
    )
    expect(run.summary).toMatch(/<code>20240102000000&#95;orders\.sql<\/code> \| [\d.]+ s \| ✅/)
    expect(run.summary).toMatch(/<code>20240103000000&#95;notes\.sql<\/code> \| [\d.]+ s \| ✅/)
    expect(run.summary).toContain('+CREATE INDEX orders_user ON public.orders USING btree (user_id);')
    expect(run.summary).not.toContain('schema_migrations')
    assertNothingLeft()
  }, 300_000)

  it('a down that does not undo its up fails the round trip', () => {
    const pr = pullRequest(
      'db/migrations',
      dbmateBase,
      {
        '20240102000000_orders.sql':
          '-- migrate:up\nCREATE TABLE orders (id bigint);\nCREATE TABLE order_lines (id bigint);\n\n-- migrate:down\nDROP TABLE orders;\n',
      },
      'dbmate',
    )
    const run = runCheck(pr, dbmateInputs)
    expect(run.status).toBe(1)
    expect(run.summary).toContain(
      "❌ rollback × 1: the down migrations do not undo the up ones: the schema after the down is not the base's",
    )
    expect(run.summary).toContain('<details><summary>Round trip: what the down left different (+')
    expect(run.summary).toContain('+CREATE TABLE public.order_lines (')
    expect(errors(run).join('\n')).toContain(
      '::error title=migration-image apply check (down does not undo up),file=db/migrations/20240102000000_orders.sql::',
    )
    assertNothingLeft()
  }, 300_000)
})

describe('apply check: MariaDB (the test env’s MariaDB 10.11 server image, dbmate’s MySQL driver)', () => {
  const mariadb = { ...dbmateInputs, database: env.MI_DB_MARIADB }
  const mariaBase: Files = {
    '20240101000000_users.sql':
      '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE users;\n',
  }

  it('a good pull request passes the round trip, and the schema change is mysqldump’s', () => {
    const pr = pullRequest(
      'db/migrations',
      mariaBase,
      {
        '20240102000000_orders.sql':
          '-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, KEY orders_user (user_id));\n\n-- migrate:down\nDROP TABLE orders;\n',
      },
      'dbmate',
    )
    const run = runCheck(pr, mariadb)
    expect(run.status, run.stdout).toBe(0)
    expect(run.summary).toContain('### Apply check — ✅ passed')
    expect(run.summary).toMatch(/\| Down\/up round trip \| ✅ rollback × 1 /)
    expect(run.summary).toMatch(/\+CREATE TABLE `orders` \(/)
    expect(run.summary).toContain('+  KEY `orders_user` (`user_id`)')
    expect(run.summary).not.toContain('schema_migrations')
    assertNothingLeft()
  }, 300_000)

  it('an error of the database fails on the file, with MariaDB’s message', () => {
    const pr = pullRequest(
      'db/migrations',
      mariaBase,
      {
        '20240102000000_broken.sql':
          '-- migrate:up\nALTER TABLE users ADD COLUMN email text NOT NULL AFTER missing_column;\n\n-- migrate:down\nSELECT 1;\n',
      },
      'dbmate',
    )
    const run = runCheck(pr, mariadb)
    expect(run.status).toBe(1)
    expect(run.summary).toContain('### Apply check — ❌ failed')
    expect(errors(run).join('\n')).toMatch(
      /::error title=migration-image apply check \(migration failed\),file=db\/migrations\/20240102000000_broken\.sql.*missing_column/,
    )
    assertNothingLeft()
  }, 300_000)
})

describe('apply check: Liquibase (its real 4.28 distribution) and rollback-count', () => {
  const liquibaseInputs = { tool: 'liquibase', dir: 'changelog', 'base-image': env.MI_BASE_LIQUIBASE }
  const changelog = (...files: string[]): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n${files.map((file) => `  <include file="${file}" relativeToChangelogFile="true"/>\n`).join('')}</databaseChangeLog>\n`
  const liquibaseBase: Files = {
    'changelog.xml': changelog('001_users.sql'),
    '001_users.sql':
      '--liquibase formatted sql\n\n--changeset ann:1\nCREATE TABLE users (id bigint PRIMARY KEY);\n--rollback DROP TABLE users;\n',
  }

  it('a good pull request passes the round trip and shows the schema it adds', () => {
    const pr = pullRequest(
      'changelog',
      liquibaseBase,
      {
        'changelog.xml': changelog('001_users.sql', '002_orders.sql'),
        '002_orders.sql':
          '--liquibase formatted sql\n\n--changeset ann:2\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n--rollback DROP TABLE orders;\n',
      },
      'liquibase',
    )
    const run = runCheck(pr, liquibaseInputs)
    expect(run.status, run.stdout).toBe(0)
    expect(run.summary).toContain('### Apply check — ✅ passed')
    expect(run.summary).toMatch(/\| Down\/up round trip \| ✅ rollback-count --count=1 /)
    expect(run.summary).toContain('+CREATE TABLE public.orders (')
    expect(run.summary).not.toContain('databasechangelog')
    assertNothingLeft()
  }, 300_000)

  it('a failing changeset fails on its file, with the database’s message', () => {
    const pr = pullRequest(
      'changelog',
      liquibaseBase,
      {
        'changelog.xml': changelog('001_users.sql', '002_broken.sql'),
        '002_broken.sql':
          '--liquibase formatted sql\n\n--changeset ann:2\nALTER TABLE users ADD COLUMN email text REFERENCES missing_table (id);\n--rollback SELECT 1;\n',
      },
      'liquibase',
    )
    const run = runCheck(pr, liquibaseInputs)
    expect(run.status).toBe(1)
    expect(run.summary).toContain('### Apply check — ❌ failed')
    expect(errors(run).join('\n')).toMatch(
      /::error title=migration-image apply check \(migration failed\),file=changelog\/002_broken\.sql.*missing_table/,
    )
    assertNothingLeft()
  }, 300_000)
})

// Deploy safety measured by the trace: in this file, so that its checks run one after another with these.
import './safety-measured.js'
