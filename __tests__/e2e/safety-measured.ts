// Registered by apply-check.test.ts: in the same file, its checks never run beside the ones that count what is left.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { pullRequest, type Files } from '../helpers/pull-request.js'
import { realEnv } from '../helpers/real-env.js'
import { pullRequestEvent, runAction, runPost, type ActionRun } from '../helpers/runner.js'
import { makeDir } from '../helpers/tmp.js'

// Deploy safety, measured: the apply check's trace (event triggers in the test env's real PostgreSQL) watches the
// real tool (dbmate's binary, the psql runner on Debian's psql, Liquibase 4.28) run each new migration, and its
// facts confirm, correct or add to the static findings. Only GitHub's event payload is made up.
const env = realEnv()
const ROOT = path.resolve(import.meta.dirname, '../..')

interface Finding {
  code: string
  file: string
  line: number
  measured?: boolean
  measuredOnly?: boolean
  facts?: string[]
}
interface Report {
  ok: boolean
  schemaDiff?: string
  trace?: { measured: boolean; why?: string }
  safety: {
    findings: Finding[]
    corrected?: { code: string; file: string; line: number; why: string }[]
    measurement?: { measured: boolean; why?: string }
    statements?: unknown
  }
}

function runCheck(pr: { repo: string; base: string; head: string }, inputs: Record<string, string>): ActionRun {
  const run = runAction({
    cwd: pr.repo,
    inputs: {
      image: `${env.MI_REGISTRY}/apply/${inputs.tool}`,
      username: env.MI_REGISTRY_USER,
      password: env.MI_REGISTRY_PASSWORD,
      'apply-check': 'true',
      database: env.MI_DB_POSTGRES,
      ...inputs,
    },
    payload: pullRequestEvent(pr),
    env: {
      PATH: env.PATH,
      DOCKER_HOST: env.DOCKER_HOST,
      HOME: makeDir(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_SHA: pr.head,
      GITHUB_REPOSITORY: 'acme/api',
    },
  })
  const post = runPost(run, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, pr.repo)
  expect(post.status, post.stderr).toBe(0)
  return run
}

/** `migration-image apply-check --json` through dist/cli.js, against the base branch. */
function applyCheckJson(
  pr: { repo: string },
  args: { dir: string; tool: string; baseImage: string },
  more: string[] = [],
): { status: number | null; report: Report; stderr: string } {
  const ran = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'dist/cli.js'),
      'apply-check',
      args.dir,
      '--tool',
      args.tool,
      '--base-image',
      args.baseImage,
      '--database',
      env.MI_DB_POSTGRES,
      '--base',
      'main',
      '--json',
      ...more,
    ],
    { cwd: pr.repo, encoding: 'utf8', env: { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST, HOME: makeDir() } },
  )
  let report: Report
  try {
    report = JSON.parse(ran.stdout) as Report
  } catch {
    throw new Error(`apply-check --json printed no JSON (${ran.status}): ${ran.stdout}\n${ran.stderr}`)
  }
  return { status: ran.status, report, stderr: ran.stderr }
}

const byCode = (report: Report, code: string): Finding[] => report.safety.findings.filter((f) => f.code === code)

const dbmate = { tool: 'dbmate', dir: 'db/migrations', baseImage: env.MI_BASE_DBMATE }
const up = (sql: string, down = '', options = ''): string => `-- migrate:up${options}\n${sql}\n-- migrate:down\n${down}`
// A base with rows: the live table the new migrations meet (users), and one whose columns the parser cannot know
// (created AS SELECT), so that the static rule has to guess.
const dbmateBase: Files = {
  '20240101000000_users.sql': up(
    "CREATE TABLE users (id bigint PRIMARY KEY, n int, name text, org bigint);\nINSERT INTO users SELECT g, g, 'u' || g, g FROM generate_series(1, 50) g;\nCREATE TABLE legacy AS SELECT 1::int AS id, 'x'::varchar(20) AS code;\n",
  ),
}

describe('deploy safety measured by the apply check (dbmate on PostgreSQL)', () => {
  it('confirms the static findings with the locks, rewrites and scans the server saw', () => {
    const pr = pullRequest(
      'db/migrations',
      dbmateBase,
      {
        '20240102000000_index.sql': up('CREATE INDEX users_n ON users (n);\n', 'DROP INDEX users_n;\n'),
        '20240103000000_widen.sql': up(
          'ALTER TABLE users ALTER COLUMN n TYPE bigint;\n',
          'ALTER TABLE users ALTER COLUMN n TYPE int;\n',
        ),
        '20240104000000_fk.sql': up(
          "SET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org) REFERENCES users (id);\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\n",
          'ALTER TABLE users ALTER COLUMN name DROP NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_org;\n',
        ),
      },
      'dbmate',
    )
    const { status, report } = applyCheckJson(pr, dbmate)
    expect(status, JSON.stringify(report, null, 2)).toBe(0)
    expect(report.safety.measurement).toEqual({ measured: true, serverVersion: expect.any(Number) })
    const [index] = byCode(report, 'safety/index-without-concurrently')
    expect(index).toMatchObject({ file: '20240102000000_index.sql', line: 2, measured: true })
    expect(index.facts).toContain('took SHARE on users (it blocks every write to the table (reads go on))')
    const [rewrite] = byCode(report, 'safety/table-rewrite')
    expect(rewrite).toMatchObject({ file: '20240103000000_widen.sql', line: 2, measured: true })
    expect(rewrite.facts).toContain(
      'rewrote users (a column is rewritten): reads and writes wait for the whole rewrite',
    )
    expect(rewrite.facts?.join(' ')).toContain('took ACCESS EXCLUSIVE on users')
    const [fk] = byCode(report, 'safety/constraint-without-not-valid')
    expect(fk).toMatchObject({ file: '20240104000000_fk.sql', line: 3, measured: true })
    expect(fk.facts).toContain('added foreign key users_org validated at once')
    expect(fk.facts?.join(' ')).toContain('took SHARE ROW EXCLUSIVE on users')
    const [notNull] = byCode(report, 'safety/set-not-null')
    expect(notNull.facts).toContain('scanned users to prove the column has no NULL')
    // The first two files set no lock_timeout: the server had none as they ran; the third set one.
    const untimed = byCode(report, 'safety/no-lock-timeout')
    expect(untimed.map(({ file }) => file).sort()).toEqual(['20240102000000_index.sql', '20240103000000_widen.sql'])
    expect(
      untimed.every(({ measured, facts }) => measured && facts?.includes('lock_timeout was 0 (none) as it ran')),
    ).toBe(true)
    // The trace's own objects are gone: the schema change shows only the migrations'.
    expect(report.schemaDiff).not.toContain('migration_image_trace')
    expect(report.safety.statements).toBeUndefined()
  })

  it('the safe way is measured too: nothing found, nothing taken that blocks', () => {
    const pr = pullRequest(
      'db/migrations',
      dbmateBase,
      {
        '20240102000000_index.sql': up(
          'CREATE INDEX CONCURRENTLY users_n ON users (n);\n',
          'DROP INDEX users_n;\n',
          ' transaction:false',
        ),
        '20240103000000_fk.sql': up(
          "SET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org) REFERENCES users (id) NOT VALID;\n",
          'ALTER TABLE users DROP CONSTRAINT users_org;\n',
        ),
        '20240104000000_validate.sql': up(
          "SET LOCAL lock_timeout = '5s';\nALTER TABLE users VALIDATE CONSTRAINT users_org;\n",
        ),
      },
      'dbmate',
    )
    const { status, report } = applyCheckJson(pr, dbmate)
    expect(status, JSON.stringify(report, null, 2)).toBe(0)
    expect(report.safety.findings).toEqual([])
    expect(report.safety.corrected).toEqual([])
    expect(report.safety.measurement?.measured).toBe(true)
  })

  it('corrects a static guess the server disproves, and adds what only the server saw', () => {
    const pr = pullRequest(
      'db/migrations',
      {
        ...dbmateBase,
        // Set for every new session of the database: static rules cannot see it; the server applies it.
        '20240101000001_timeout.sql': up("ALTER DATABASE migrations SET lock_timeout = '4s';\n"),
      },
      {
        // varchar(20) to text is binary-coercible: no rewrite, but the parser does not know legacy's column types.
        '20240102000000_legacy.sql': up(
          'ALTER TABLE legacy ALTER COLUMN code TYPE text;\n',
          'ALTER TABLE legacy ALTER COLUMN code TYPE varchar(20);\n',
        ),
        // A rewrite hidden in dynamic SQL: no static rule reads it; the server rewrites users all the same.
        '20240103000000_dynamic.sql': up(
          "DO $$ BEGIN EXECUTE 'ALTER TABLE users ALTER COLUMN n TYPE bigint'; END $$;\n",
          'ALTER TABLE users ALTER COLUMN n TYPE int;\n',
        ),
      },
      'dbmate',
    )
    const { status, report } = applyCheckJson(pr, dbmate)
    expect(status, JSON.stringify(report, null, 2)).toBe(0)
    const corrected = report.safety.corrected ?? []
    expect(corrected).toContainEqual(
      expect.objectContaining({
        code: 'safety/table-rewrite',
        file: '20240102000000_legacy.sql',
        why: 'measured: the server ran it without rewriting legacy',
      }),
    )
    // lock_timeout came from the database's settings: the server had one, so the static no-lock-timeout is dropped.
    expect(corrected).toContainEqual(
      expect.objectContaining({ code: 'safety/no-lock-timeout', file: '20240102000000_legacy.sql' }),
    )
    expect(byCode(report, 'safety/no-lock-timeout')).toEqual([])
    const [found] = byCode(report, 'safety/table-rewrite')
    expect(found).toMatchObject({ file: '20240103000000_dynamic.sql', measured: true, measuredOnly: true })
    expect(found.facts).toContain('rewrote users (a column is rewritten)')
  })

  it('shows the measured facts in the summary and annotates only what stands', () => {
    const pr = pullRequest(
      'db/migrations',
      dbmateBase,
      {
        '20240102000000_legacy.sql': up(
          "SET LOCAL lock_timeout = '5s';\nALTER TABLE legacy ALTER COLUMN code TYPE text;\n",
          'ALTER TABLE legacy ALTER COLUMN code TYPE varchar(20);\n',
        ),
        '20240103000000_widen.sql': up(
          "SET LOCAL lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN n TYPE bigint;\n",
          'ALTER TABLE users ALTER COLUMN n TYPE int;\n',
        ),
      },
      'dbmate',
    )
    const run = runCheck(pr, { tool: 'dbmate', dir: 'db/migrations', 'base-image': env.MI_BASE_DBMATE })
    expect(run.status, run.stdout + run.stderr).toBe(0)
    expect(run.summary).toMatch(
      /📏 Measured by the apply check, as the tool ran each new migration on PostgreSQL [\d.]+: 1 confirmed, 1 corrected, 0 found only there\./,
    )
    expect(run.summary).toContain('📏 measured: took ACCESS EXCLUSIVE on users')
    expect(run.summary).toContain('rewrote users (a column is rewritten): reads and writes wait for the whole rewrite')
    expect(run.summary).toContain('Dropped, because the database showed otherwise:')
    // The disproved finding is not annotated; the confirmed one is, with its facts.
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'))
    expect(warnings.some((line) => line.includes('20240102000000_legacy.sql'))).toBe(false)
    expect(
      warnings.some(
        (line) => line.includes('file=db/migrations/20240103000000_widen.sql,line=3') && line.includes('[measured: '),
      ),
    ).toBe(true)
  })
})

describe('deploy safety measured under the psql runner and Liquibase', () => {
  it('the psql runner: the index build and its SHARE lock, measured', () => {
    const pr = pullRequest(
      'migrations',
      { '1_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, n int);\n' },
      { '2_index.up.sql': "SET LOCAL lock_timeout = '5s';\nCREATE INDEX users_n ON users (n);\n" },
      'golang-migrate',
    )
    const { status, report } = applyCheckJson(pr, { tool: 'psql', dir: 'migrations', baseImage: env.MI_BASE_PSQL })
    expect(status, JSON.stringify(report, null, 2)).toBe(0)
    const [index] = byCode(report, 'safety/index-without-concurrently')
    expect(index).toMatchObject({ file: '2_index.up.sql', line: 2, measured: true })
    expect(index.facts?.join(' ')).toContain('took SHARE on users')
    expect(byCode(report, 'safety/no-lock-timeout')).toEqual([])
  })

  it('Liquibase: a createIndex change type, measured', () => {
    const changelog = (...files: string[]): string =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n${files.map((file) => `  <include file="${file}" relativeToChangelogFile="true"/>\n`).join('')}</databaseChangeLog>\n`
    const pr = pullRequest(
      'changelog',
      {
        'changelog.xml': changelog('001_users.sql'),
        '001_users.sql':
          '--liquibase formatted sql\n\n--changeset ann:1\nCREATE TABLE users (id bigint PRIMARY KEY, n int);\n--rollback DROP TABLE users;\n',
      },
      {
        'changelog.xml': changelog('001_users.sql', '002_index.xml'),
        '002_index.xml':
          '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n  <changeSet id="2" author="ann">\n    <createIndex tableName="users" indexName="users_n">\n      <column name="n"/>\n    </createIndex>\n  </changeSet>\n</databaseChangeLog>\n',
      },
      'liquibase',
    )
    const { status, report } = applyCheckJson(pr, {
      tool: 'liquibase',
      dir: 'changelog',
      baseImage: env.MI_BASE_LIQUIBASE,
    })
    expect(status, JSON.stringify(report, null, 2)).toBe(0)
    const [index] = byCode(report, 'safety/index-without-concurrently')
    expect(index).toMatchObject({ file: '002_index.xml', measured: true })
    expect(index.facts?.join(' ')).toContain('took SHARE on users')
    const [untimed] = byCode(report, 'safety/no-lock-timeout')
    expect(untimed?.measured).toBe(true)
  })
})
