import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { git } from './helpers/git.js'
import { pullRequestEvent, runAction } from './helpers/runner.js'
import { makeDir, runCli } from './helpers/tmp.js'

// Deploy safety (issue 22) through dist/cli.js and dist/index.js, on real git repositories: every rule on both sides
// of its edge, objects on the base branch against objects the pull request creates, CONCURRENTLY under each tool's
// own transaction rules, PostgreSQL 10 against 11 and 11 against 12, ignores, and SQL the parser cannot read.

const DIR = 'db'

interface Finding {
  readonly code: string
  readonly file: string
  readonly line: number
  readonly severity: string
  readonly message: string
  readonly fix: string
  readonly lock?: string
  readonly statement: string
}

/** Each tool's file for a migration of `sql` (name and text), as the tool wants it written. */
const WRITE: Record<string, (version: number, sql: string, head?: string) => [string, string]> = {
  psql: (v, sql) => [`${v}_m.up.sql`, sql],
  'golang-migrate': (v, sql) => [`${v}_m.up.sql`, sql],
  atlas: (v, sql, head) => [`${v}_m.sql`, `${head ?? ''}${sql}`],
  flyway: (v, sql) => [`V${v}__m.sql`, sql],
  dbmate: (v, sql, head) => [`${v}_m.sql`, `-- migrate:up${head ?? ''}\n${sql}\n-- migrate:down\n`],
  goose: (v, sql, head) => [`${v}_m.sql`, `${head ?? ''}-- +goose Up\n${sql}\n-- +goose Down\n`],
  liquibase: (v, sql, head) => [`${v}_m.sql`, `--liquibase formatted sql\n--changeset dev:${v}${head ?? ''}\n${sql}\n`],
}

const BASE_SQL =
  'CREATE TABLE users (id int PRIMARY KEY, email varchar(10), n int, org int);\nCREATE INDEX users_email ON users (email);'

/**
 * A repository whose main holds `base` (migration 1, and more) and whose checkout (the pull request) adds `added`,
 * for `tool`. Liquibase gets a master changelog that includes the directory.
 */
function repository(
  tool: string,
  base: readonly string[],
  added: readonly (string | { sql: string; head?: string; name?: string })[],
): string {
  const repo = makeDir()
  const dir = path.join(repo, DIR)
  mkdirSync(dir)
  if (tool === 'liquibase')
    writeFileSync(
      path.join(dir, 'changelog.xml'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n  <includeAll path="m/" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n',
    )
  const into = tool === 'liquibase' ? path.join(dir, 'm') : dir
  mkdirSync(into, { recursive: true })
  base.forEach((sql, index) =>
    writeFileSync(path.join(into, WRITE[tool](index + 1, sql)[0]), WRITE[tool](index + 1, sql)[1]),
  )
  git(repo, 'init', '-q', '-b', 'main')
  git(repo, 'add', '.')
  git(repo, 'commit', '-q', '-m', 'base')
  added.forEach((entry, index) => {
    const { sql, head, name } = typeof entry === 'string' ? { sql: entry } : entry
    const [file, text] = WRITE[tool](base.length + index + 1, sql, head)
    writeFileSync(path.join(into, name ?? file), text)
  })
  return repo
}

function safety(
  repo: string,
  tool: string,
  ...args: string[]
): { findings: Finding[]; status: number | null; stdout: string } {
  const ran = runCli(['validate', DIR, '--tool', tool, '--json', '--checksum', 'optional', ...args], {}, repo)
  const json = JSON.parse(ran.stdout) as { safety: { findings: Finding[] } | null }
  return { findings: json.safety?.findings ?? [], status: ran.status, stdout: ran.stdout + ran.stderr }
}

const codes = (findings: readonly Finding[]): string[] => findings.map(({ code }) => code).sort()
const onBase = (tool: string, ...sql: string[]) => safety(repository(tool, [BASE_SQL], sql), tool, '--base', 'main')

describe('each rule fires on what exists, and not on the safe form', () => {
  const TIMEOUT = "SET LOCAL lock_timeout = '5s';\n"
  it.each([
    [
      'index-without-concurrently',
      'CREATE INDEX users_n ON users (n);',
      'CREATE TABLE o (id int);\nCREATE INDEX o_id ON o (id);',
    ],
    [
      'drop-index-without-concurrently',
      'DROP INDEX users_email;',
      'CREATE TABLE o (id int);\nCREATE INDEX o_id ON o (id);\nDROP INDEX o_id;',
    ],
    ['reindex-without-concurrently', 'REINDEX TABLE users;', 'CREATE TABLE o (id int);\nREINDEX TABLE o;'],
    [
      'constraint-without-not-valid',
      'ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org) REFERENCES users (id);',
      `${TIMEOUT}ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org) REFERENCES users (id) NOT VALID;`,
    ],
    [
      'constraint-without-not-valid',
      'ALTER TABLE users ADD CONSTRAINT n_pos CHECK (n > 0);',
      `${TIMEOUT}ALTER TABLE users ADD CONSTRAINT n_pos CHECK (n > 0) NOT VALID;`,
    ],
    [
      'set-not-null',
      'ALTER TABLE users ALTER COLUMN n SET NOT NULL;',
      `${TIMEOUT}ALTER TABLE users ADD COLUMN m int;\nALTER TABLE users ALTER COLUMN m SET NOT NULL;`,
    ],
    [
      'unique-without-index',
      'ALTER TABLE users ADD CONSTRAINT users_n_key UNIQUE (n);',
      `${TIMEOUT}ALTER TABLE users ADD CONSTRAINT users_n_key UNIQUE USING INDEX users_email;`,
    ],
    [
      'unique-without-index',
      'ALTER TABLE users ADD COLUMN k serial PRIMARY KEY;',
      `${TIMEOUT}ALTER TABLE users ADD COLUMN k int;`,
    ],
    [
      'table-rewrite',
      'ALTER TABLE users ALTER COLUMN n TYPE bigint;',
      `${TIMEOUT}ALTER TABLE users ALTER COLUMN email TYPE text;`,
    ],
    [
      'table-rewrite',
      'ALTER TABLE users ALTER COLUMN email TYPE varchar(5);',
      `${TIMEOUT}ALTER TABLE users ALTER COLUMN email TYPE varchar(20);`,
    ],
    [
      'table-rewrite',
      'ALTER TABLE users ADD COLUMN t uuid DEFAULT gen_random_uuid();',
      `${TIMEOUT}ALTER TABLE users ADD COLUMN t timestamptz DEFAULT now();`,
    ],
    ['table-rewrite', 'ALTER TABLE users SET UNLOGGED;', `${TIMEOUT}ALTER TABLE users SET (fillfactor = 90);`],
    ['table-rewrite', 'CLUSTER users USING users_email;', `${TIMEOUT}ALTER TABLE users CLUSTER ON users_email;`],
    ['no-lock-timeout', 'ALTER TABLE users ADD COLUMN m int;', `${TIMEOUT}ALTER TABLE users ADD COLUMN m int;`],
    [
      'add-required-column',
      'ALTER TABLE users ADD COLUMN m int NOT NULL;',
      `${TIMEOUT}ALTER TABLE users ADD COLUMN m int NOT NULL DEFAULT 0;`,
    ],
    ['drop-table', 'DROP TABLE users;', 'CREATE TABLE o (id int);\nDROP TABLE o;'],
    [
      'drop-column',
      'ALTER TABLE users DROP COLUMN n;',
      `${TIMEOUT}ALTER TABLE users ADD COLUMN m int;\nALTER TABLE users DROP COLUMN m;`,
    ],
    ['drop-schema', 'DROP SCHEMA public CASCADE;', 'CREATE SCHEMA s;\nDROP SCHEMA s;'],
    ['rename-table', 'ALTER TABLE users RENAME TO people;', 'CREATE TABLE o (id int);\nALTER TABLE o RENAME TO p;'],
    [
      'rename-column',
      'ALTER TABLE users RENAME COLUMN n TO m;',
      'CREATE TABLE o (id int);\nALTER TABLE o RENAME COLUMN id TO key;',
    ],
  ])('safety/%s: %s (fires) / %s (does not)', (rule, unsafe, safe) => {
    const fired = onBase('dbmate', unsafe)
    expect(codes(fired.findings), fired.stdout).toContain(`safety/${rule}`)
    const finding = fired.findings.find(({ code }) => code === `safety/${rule}`)!
    expect(finding.file).toBe('2_m.sql')
    expect(finding.line).toBe(unsafe.startsWith('SET') ? 3 : 2)
    expect(finding.severity).toBe('warning')
    expect(finding.statement).toBe(unsafe.replace(/;$/, ''))
    expect(fired.status).toBe(0) // warnings by default
    const quiet = onBase('dbmate', safe)
    expect(codes(quiet.findings), quiet.stdout).toEqual([])
  })

  it('a table created in the pull request is not flagged in a later new migration; without a base it is', () => {
    const repo = repository('psql', [BASE_SQL], ['CREATE TABLE o (id int, n int);', 'CREATE INDEX o_n ON o (n);'])
    expect(codes(safety(repo, 'psql', '--base', 'main').findings)).toEqual([])
    // Without a base, every migration is new and what earlier ones made exists: 3 indexes a table 2 made.
    const all = safety(repo, 'psql').findings.filter(({ file }) => file === '3_m.up.sql')
    expect(codes(all)).toEqual(['safety/index-without-concurrently', 'safety/no-lock-timeout'])
  })

  it('SET NOT NULL after a validated CHECK (col IS NOT NULL) on the base is fine on PostgreSQL 12, not on 11', () => {
    const base = [
      BASE_SQL,
      'ALTER TABLE users ADD CONSTRAINT n_nn CHECK (n IS NOT NULL) NOT VALID;',
      'ALTER TABLE users VALIDATE CONSTRAINT n_nn;',
    ]
    const repo = repository('psql', base, ["SET lock_timeout = '3s';\nALTER TABLE users ALTER COLUMN n SET NOT NULL;"])
    expect(codes(safety(repo, 'psql', '--base', 'main', '--postgres-version', '12').findings)).toEqual([])
    expect(codes(safety(repo, 'psql', '--base', 'main', '--postgres-version', '11').findings)).toEqual([
      'safety/set-not-null',
    ])
    // Not validated: the CHECK proves nothing.
    const unvalidated = repository('psql', base.slice(0, 2), [
      "SET lock_timeout = '3s';\nALTER TABLE users ALTER COLUMN n SET NOT NULL;",
    ])
    expect(codes(safety(unvalidated, 'psql', '--base', 'main').findings)).toEqual(['safety/set-not-null'])
  })

  it('VALIDATE in the same transaction as its NOT VALID add gains nothing; in the next migration it is the safe way', () => {
    const add =
      "SET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org) REFERENCES users (id) NOT VALID;"
    const same = onBase('dbmate', `${add}\nALTER TABLE users VALIDATE CONSTRAINT fk;`)
    expect(codes(same.findings)).toEqual(['safety/constraint-without-not-valid'])
    expect(same.findings[0].line).toBe(4)
    expect(codes(onBase('dbmate', add, 'ALTER TABLE users VALIDATE CONSTRAINT fk;').findings)).toEqual([])
  })

  it('a constant default rewrites before PostgreSQL 11, not from 11 on (the database image decides the default)', () => {
    const repo = repository(
      'psql',
      [BASE_SQL],
      ["SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN flag boolean DEFAULT false;"],
    )
    expect(codes(safety(repo, 'psql', '--base', 'main', '--postgres-version', '10').findings)).toEqual([
      'safety/table-rewrite',
    ])
    expect(codes(safety(repo, 'psql', '--base', 'main', '--postgres-version', '11').findings)).toEqual([])
    expect(codes(safety(repo, 'psql', '--base', 'main', '--database', 'postgres:10-alpine').findings)).toEqual([
      'safety/table-rewrite',
    ])
  })

  it('safety error fails the check; off reads nothing; a MySQL database says it is not checked', () => {
    const repo = repository('dbmate', [BASE_SQL], ['DROP TABLE users;'])
    const failed = safety(repo, 'dbmate', '--base', 'main', '--safety', 'error')
    expect(failed.status).toBe(1)
    expect(failed.findings.every(({ severity }) => severity === 'error')).toBe(true)
    expect(
      JSON.parse(runCli(['validate', DIR, '--tool', 'dbmate', '--json', '--safety', 'off'], {}, repo).stdout).safety,
    ).toBeNull()
    const mysql = JSON.parse(
      runCli(['validate', DIR, '--tool', 'dbmate', '--json', '--database', 'mysql:8.4'], {}, repo).stdout,
    )
    expect(mysql.safety.notChecked).toMatch(/PostgreSQL only, and the database is MySQL/)
    expect(runCli(['validate', DIR, '--postgres-version', 'x'], {}, repo).stderr).toMatch(
      /--postgres-version must be a PostgreSQL major version/,
    )
  })
})

describe('CONCURRENTLY as each tool runs it', () => {
  const CIC = 'CREATE INDEX CONCURRENTLY users_n ON users (n);'
  const cases: [string, string | { sql: string; head?: string; name?: string }, boolean][] = [
    ['atlas', CIC, true],
    ['atlas', { sql: CIC, head: '-- atlas:txmode none\n\n' }, false],
    // The directive counts only in a header a blank line closes (ariga/atlas sql/migrate/dir.go:331-353).
    ['atlas', { sql: CIC, head: '-- atlas:txmode none\n' }, true],
    ['golang-migrate', CIC, false],
    ['golang-migrate', `SELECT 1;\n${CIC}`, true],
    ['flyway', CIC, false],
    ['flyway', `SELECT 1;\n${CIC}`, true],
    // Flyway's parser does not recognise REINDEX TABLE … CONCURRENTLY: it runs it in the script's transaction.
    ['flyway', 'REINDEX TABLE CONCURRENTLY users;', true],
    ['liquibase', CIC, true],
    ['liquibase', { sql: CIC, head: ' runInTransaction:false' }, false],
    ['dbmate', CIC, true],
    ['dbmate', { sql: CIC, head: ' transaction:false' }, false],
    ['dbmate', { sql: `SELECT 1;\n${CIC}`, head: ' transaction:false' }, true],
    ['goose', CIC, true],
    ['goose', { sql: CIC, head: '-- +goose NO TRANSACTION\n' }, false],
    ['psql', CIC, true],
  ]
  it.each(cases.map(([tool, sql, fails]) => [tool, JSON.stringify(sql), fails, sql] as const))(
    '%s: %s fails: %s',
    (tool, _shown, fails, sql) => {
      const { findings, status, stdout } = onBase(tool, sql as string)
      const found = findings.filter(({ code }) => code === 'safety/concurrently-in-transaction')
      expect(found.length, stdout).toBe(fails ? 1 : 0)
      // The tool fails on it: an error, whatever the safety setting, and the check fails.
      if (fails) {
        expect(found[0].severity).toBe('error')
        expect(status).toBe(1)
      }
      expect(codes(findings)).not.toContain('safety/index-without-concurrently')
    },
  )

  it("Flyway with executeInTransaction=false in the script's .conf runs it outside a transaction", () => {
    const repo = repository('flyway', [BASE_SQL], [`SELECT 1;\n${CIC}`])
    writeFileSync(path.join(repo, DIR, 'V2__m.sql.conf'), 'executeInTransaction=false\n')
    expect(codes(safety(repo, 'flyway', '--base', 'main').findings)).not.toContain('safety/concurrently-in-transaction')
  })
})

describe('Liquibase change types map to the same rules', () => {
  const changelog = (changes: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n  <changeSet id="2" author="dev">\n${changes}\n  </changeSet>\n</databaseChangeLog>\n`
  it.each([
    [
      'index-without-concurrently',
      '    <createIndex tableName="users" indexName="users_n"><column name="n"/></createIndex>',
    ],
    [
      'constraint-without-not-valid',
      '    <addForeignKeyConstraint baseTableName="users" baseColumnNames="org" referencedTableName="users" referencedColumnNames="id" constraintName="fk"/>',
    ],
    ['set-not-null', '    <addNotNullConstraint tableName="users" columnName="n"/>'],
    ['table-rewrite', '    <modifyDataType tableName="users" columnName="n" newDataType="bigint"/>'],
    ['drop-column', '    <dropColumn tableName="users" columnName="n"/>'],
    ['rename-column', '    <renameColumn tableName="users" oldColumnName="n" newColumnName="m"/>'],
    ['drop-table', '    <dropTable tableName="users"/>'],
  ])('safety/%s from %s', (rule, change) => {
    const repo = repository('liquibase', [BASE_SQL], [])
    writeFileSync(path.join(repo, DIR, 'm', '2_m.xml'), changelog(change))
    const { findings, stdout } = safety(repo, 'liquibase', '--base', 'main')
    const found = findings.find(({ code }) => code === `safety/${rule}`)
    expect(found, stdout).toBeDefined()
    expect(found!.file).toBe('m/2_m.xml')
    expect(found!.line).toBe(4) // the change's own line
  })

  it('a changeset already on the base is not judged; a table created in the new changelog is not flagged', () => {
    const repo = repository('liquibase', [BASE_SQL], [])
    writeFileSync(
      path.join(repo, DIR, 'm', '2_m.xml'),
      changelog(
        '    <createTable tableName="o"><column name="id" type="int"/></createTable>\n    <createIndex tableName="o" indexName="o_id"><column name="id"/></createIndex>',
      ),
    )
    expect(codes(safety(repo, 'liquibase', '--base', 'main').findings)).toEqual([])
  })
})

describe('ignores', () => {
  const IGNORE = '-- migration-image:ignore safety/drop-column the column is unused since release 41\n'
  it('on the line before the statement, with a reason, it ignores that finding only', () => {
    const { findings } = onBase('psql', `${IGNORE}ALTER TABLE users DROP COLUMN n;`)
    expect(codes(findings)).toEqual(['safety/no-lock-timeout'])
  })
  it('on the first line of the file it covers the whole file', () => {
    const { findings } = onBase(
      'psql',
      `${IGNORE}SELECT 1;\nALTER TABLE users DROP COLUMN n;\nALTER TABLE users DROP COLUMN org;`,
    )
    expect(codes(findings)).toEqual(['safety/no-lock-timeout'])
  })
  it('an ignore that matches nothing is reported, on its line', () => {
    const { findings } = onBase('psql', `SELECT 1;\n${IGNORE}SELECT 2;`)
    expect(findings.map(({ code, line }) => [code, line])).toEqual([['safety/unused-ignore', 2]])
  })
  it('without a reason, or with a code that is not deploy safety’s, it ignores nothing and says so', () => {
    const bare = onBase('psql', '-- migration-image:ignore safety/drop-table\nDROP TABLE users;')
    expect(codes(bare.findings)).toEqual(['safety/bad-ignore', 'safety/drop-table', 'safety/no-lock-timeout'])
    expect(bare.findings.find(({ code }) => code === 'safety/bad-ignore')!.message).toMatch(/gives no reason/)
    const unknown = onBase('psql', '-- migration-image:ignore safety/drop-tables typo\nDROP TABLE users;')
    expect(codes(unknown.findings)).toContain('safety/bad-ignore')
  })
})

describe('hostile SQL: a notice on its line, never a crash or a hang', () => {
  it('SQL the parser cannot read is a notice on the line of the error; the tool’s rules still decide', () => {
    const { findings, status } = onBase('psql', 'SELECT 1;\nALTER TABLE users ADD COLUMN;')
    expect(findings.map(({ code, line, severity }) => [code, line, severity])).toEqual([
      ['safety/unparsed', 2, 'notice'],
    ])
    expect(status).toBe(0)
  })
  it('brackets nested 200,000 deep, and 20,001 statements, are refused by name', () => {
    const deep = onBase('psql', `ALTER TABLE users ADD CHECK (${'('.repeat(200_000)}n > 0${')'.repeat(200_000)});`)
    expect(deep.findings.map(({ code }) => code)).toEqual(['safety/unparsed'])
    expect(deep.findings[0].message).toMatch(/nest more than 500 deep/)
    const many = onBase('psql', 'RESET lock_timeout;\n'.repeat(20_001))
    expect(many.findings[0].message).toMatch(/more than 10000 statements/)
  })
  it('a workflow command or markdown in a statement never reaches stdout raw', () => {
    const { stdout } = onBase('psql', 'DROP TABLE users; -- \n::error::owned')
    expect(stdout).not.toMatch(/^::error::owned/m)
  })
})

describe('the action', () => {
  it('annotates the statement, shows the Deploy safety section, and fails only with safety: error', () => {
    const repo = repository('dbmate', [BASE_SQL], ['CREATE INDEX users_n ON users (n);'])
    const base = git(repo, 'rev-parse', 'main')
    git(repo, 'checkout', '-q', '-b', 'pr')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'pr')
    const head = git(repo, 'rev-parse', 'HEAD')
    const run = (safetyMode: string) =>
      runAction({
        cwd: repo,
        inputs: { dir: DIR, tool: 'dbmate', build: 'false', safety: safetyMode },
        env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: head, GITHUB_REF: 'refs/pull/7/merge' },
        payload: pullRequestEvent({ base, head }),
      })
    const warned = run('warn')
    expect(warned.status, warned.stdout).toBe(0)
    expect(warned.stdout).toMatch(
      /^::warning title=migration-image \(safety\/index-without-concurrently\),file=db\/2_m\.sql,line=2::CREATE INDEX on users/m,
    )
    expect(warned.summary).toContain('#### Deploy safety (PostgreSQL 17)')
    expect(warned.summary).toContain('<code>CREATE INDEX users&#95;n ON users (n)</code>')
    // The message says what the lock blocks; the lock line gives its mode, and the no-lock-timeout line what it blocks.
    expect(warned.summary).toContain(
      'it blocks every write to the table (reads go on) until the index is built<br>🔒 SHARE |',
    )
    expect(warned.summary).toContain('🔒 SHARE: blocks every write to the table (reads go on)')
    // The SQL a fix quotes is a code span to copy, escaped like any other.
    expect(warned.summary).toContain('write <code>CREATE INDEX CONCURRENTLY</code> (reads and writes go on')
    expect(warned.summary).toContain('<code>-- migrate:up transaction:false</code>')
    expect(warned.summary).toMatch(/⚠️ 2 deploy-safety warnings/)
    const failed = run('error')
    expect(failed.status).toBe(1)
    expect(failed.stdout).toMatch(
      /^::error title=migration-image \(safety\/index-without-concurrently\),file=db\/2_m\.sql,line=2::/m,
    )
  })

  it('nothing found: one ✅ line', () => {
    const repo = repository('dbmate', [BASE_SQL], ['CREATE TABLE o (id int);'])
    const ran = runAction({ cwd: repo, inputs: { dir: DIR, tool: 'dbmate', build: 'false' } })
    expect(ran.status, ran.stdout).toBe(0)
    expect(ran.summary).toMatch(/✅ nothing in the 2 migrations locks, rewrites or drops what a running release uses\./)
  })
})
