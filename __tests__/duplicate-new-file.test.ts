import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { git } from './helpers/git.js'
import { pullRequestEvent, runAction } from './helpers/runner.js'
import { independentSum, makeDir, runCli } from './helpers/tmp.js'

// Two files of one version, where the pull request's new file sorts before the one already on main: the tool refuses
// the pair, and the report must sit on the new file (the one to rename), naming the applied one, never the other way
// round (issue 17, item 8). Through dist/cli.js and dist/index.js, against a real git repository.

interface Case {
  readonly tool: string
  readonly code: string
  /** On main. */
  readonly base: Record<string, string>
  /** The applied migration the new file collides with. */
  readonly applied: string
  /** The pull request's new file, sorting before `applied` in the tool's walk order. */
  readonly added: string
  readonly sql: (table: string) => string
  readonly withSum?: boolean
}

const plain = (table: string): string => `CREATE TABLE ${table} (id int);\n`
const dbmate = (table: string): string =>
  `-- migrate:up\nCREATE TABLE ${table} (id int);\n-- migrate:down\nDROP TABLE ${table};\n`
const goose = (table: string): string =>
  `-- +goose Up\nCREATE TABLE ${table} (id int);\n-- +goose Down\nDROP TABLE ${table};\n`

const CASES: Case[] = [
  {
    tool: 'flyway',
    code: 'flyway/duplicate-version',
    base: { 'V1__init.sql': plain('init') },
    applied: 'V2__orders.sql',
    added: 'V2__add_index.sql',
    sql: plain,
  },
  {
    tool: 'flyway',
    code: 'flyway/duplicate-version',
    base: { 'V1__init.sql': plain('init') },
    // Flyway's versions are equal as versions (2.0 is 2), not as text: the message names the new file's own version.
    applied: 'V2__orders.sql',
    added: 'V2.0__add_index.sql',
    sql: plain,
  },
  {
    tool: 'flyway',
    code: 'flyway/duplicate-repeatable',
    base: { 'V1__init.sql': plain('init') },
    // Flyway walks names by their bytes, so `0/` comes before `R__`; the description collides across folders.
    applied: 'R__views.sql',
    added: '0/R__views.sql',
    sql: plain,
  },
  {
    tool: 'dbmate',
    code: 'dbmate/duplicate-version',
    base: { '20240101000000_init.sql': dbmate('init') },
    applied: '20240102000000_orders.sql',
    added: '20240102000000_add_index.sql',
    sql: dbmate,
  },
  {
    tool: 'goose',
    code: 'goose/duplicate-version',
    base: { '00001_init.sql': goose('init') },
    applied: '00002_orders.sql',
    added: '00002_add_index.sql',
    sql: goose,
  },
  {
    tool: 'golang-migrate',
    code: 'golang-migrate/duplicate-file',
    base: { '1_init.up.sql': plain('init'), '1_init.down.sql': 'DROP TABLE init;\n' },
    applied: '2_orders.up.sql',
    added: '2_add_index.up.sql',
    sql: plain,
  },
  {
    tool: 'psql',
    code: 'psql/duplicate-version',
    base: { '1_init.up.sql': plain('init') },
    applied: '2_orders.up.sql',
    added: '2_add_index.up.sql',
    sql: plain,
  },
  {
    tool: 'atlas',
    code: 'atlas/duplicate-version',
    base: { '1_init.sql': plain('init') },
    applied: '2_orders.sql',
    added: '2_add_index.sql',
    sql: plain,
    withSum: true,
  },
]

const DIR = 'db/migrations'

/** main holds `base` and `applied`; the working tree (the pull request) adds `added`. Returns the repo and main's sha. */
function repository(test: Case): { repo: string; base: string } {
  const files: Record<string, string> = {}
  for (const [name, content] of Object.entries(test.base)) files[`${DIR}/${name}`] = content
  files[`${DIR}/${test.applied}`] = test.sql('orders')
  const repo = makeDir(files)
  const migrations = path.join(repo, DIR)
  const hash = (): void => {
    if (test.withSum) writeFileSync(path.join(migrations, 'atlas.sum'), independentSum(migrations, test.tool))
  }
  hash()
  git(repo, 'init', '-q', '-b', 'main')
  git(repo, 'add', '.')
  git(repo, 'commit', '-q', '-m', 'base')
  const base = git(repo, 'rev-parse', 'HEAD')
  git(repo, 'checkout', '-q', '-b', 'pr')
  mkdirSync(path.dirname(path.join(migrations, test.added)), { recursive: true })
  writeFileSync(path.join(migrations, test.added), test.sql('order_index'))
  hash()
  git(repo, 'add', '.')
  git(repo, 'commit', '-q', '-m', 'pr')
  return { repo, base }
}

interface JsonProblem {
  readonly code: string
  readonly file: string
  readonly message: string
  readonly twin?: string
}

const problemsOf = (stdout: string): JsonProblem[] => {
  const json = JSON.parse(stdout) as { errors: JsonProblem[]; warnings: JsonProblem[] }
  return [...json.errors, ...json.warnings]
}

describe('a duplicate version is reported on the pull request’s new file', () => {
  it.each(CASES.map((test) => [`${test.tool}: ${test.added} beside ${test.applied}`, test] as const))(
    '%s',
    (_title, test) => {
      const { repo } = repository(test)
      // Without a base the tool's walk order decides, as the tool reports it: the applied file, read second.
      const walked = runCli(['validate', DIR, '--tool', test.tool, '--json'], {}, repo)
      const inWalkOrder = problemsOf(walked.stdout).filter(({ code }) => code === test.code)
      expect(inWalkOrder.map(({ file, twin }) => [file, twin])).toEqual([[path.join(DIR, test.applied), test.added]])
      const ran = runCli(['validate', DIR, '--tool', test.tool, '--base', 'main', '--json'], {}, repo)
      expect(ran.status, ran.stderr).toBe(1)
      const pair = problemsOf(ran.stdout).filter(({ code }) => code === test.code)
      expect(pair, ran.stdout).toHaveLength(1)
      expect(pair[0].file).toBe(path.join(DIR, test.added))
      expect(pair[0].twin).toBe(test.applied)
      expect(pair[0].message).toContain(test.applied)
      expect(pair[0].message).not.toContain(test.added)
    },
  )

  it('the version in Flyway’s message is the reported file’s own (2.0, not the applied file’s 2)', () => {
    const { repo } = repository(CASES[1])
    const ran = runCli(['validate', DIR, '--tool', 'flyway', '--base', 'main', '--json'], {}, repo)
    const [pair] = problemsOf(ran.stdout).filter(({ code }) => code === 'flyway/duplicate-version')
    expect(pair.message).toBe('Flyway fails: more than one migration with version 2.0 (V2__orders.sql)')
  })

  // Three files of one version: the base's file stays the one every other file pairs with, so a pair already on
  // main is still reported on its own, and a second new file names the applied one, not the other new file.
  it.each([
    ['flyway', 'flyway/duplicate-version', ['V2__b.sql', 'V2__c.sql'], ['V2__a.sql']],
    ['flyway', 'flyway/duplicate-version', ['V2__b.sql'], ['V2__a.sql', 'V2__c.sql']],
    ['psql', 'psql/duplicate-version', ['2_b.up.sql', '2_c.up.sql'], ['2_a.up.sql']],
    ['psql', 'psql/duplicate-version', ['2_b.up.sql'], ['2_a.up.sql', '2_c.up.sql']],
    ['golang-migrate', 'golang-migrate/duplicate-file', ['2_b.up.sql', '2_c.up.sql'], ['2_a.up.sql']],
    ['golang-migrate', 'golang-migrate/duplicate-file', ['2_b.up.sql'], ['2_a.up.sql', '2_c.up.sql']],
  ] as const)('%s (%s): main holds %j, the pull request adds %j', (tool, code, onMain, added) => {
    const repo = makeDir(Object.fromEntries(onMain.map((name) => [`${DIR}/${name}`, plain('t')])))
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'base')
    for (const name of added) writeFileSync(path.join(repo, DIR, name), plain('u'))
    const ran = runCli(['validate', DIR, '--tool', tool, '--base', 'main', '--json'], {}, repo)
    const pairs = problemsOf(ran.stdout)
      .filter((problem) => problem.code === code)
      .map(({ file, twin }) => [path.relative(DIR, file), twin])
      .sort()
    // Every file but the first on main is reported once, each naming main's first file.
    const expected = [...added, ...onMain.slice(1)].sort().map((name) => [name, onMain[0]])
    expect(pairs, ran.stdout).toEqual(expected)
  })

  it('two files of one version both on main stay where the walk order puts them', () => {
    const test = CASES[0]
    const { repo } = repository({ ...test, base: { ...test.base, 'V2__add_index.sql': plain('x') } })
    // The working tree adds nothing new here: the pair was on main already.
    git(repo, 'checkout', '-q', 'main')
    const ran = runCli(['validate', DIR, '--tool', 'flyway', '--base', 'main', '--json'], {}, repo)
    const [pair] = problemsOf(ran.stdout).filter(({ code }) => code === 'flyway/duplicate-version')
    expect(pair.file).toBe(path.join(DIR, 'V2__orders.sql'))
  })

  it('the action on a pull request annotates the new file, and its summary row carries the problem', () => {
    const { repo, base } = repository(CASES[0])
    const head = git(repo, 'rev-parse', 'HEAD')
    const ran = runAction({
      cwd: repo,
      inputs: { dir: DIR, tool: 'flyway', build: 'false' },
      payload: pullRequestEvent({ base, head }),
      env: { PATH: process.env.PATH, GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: head },
    })
    expect(ran.status, ran.stdout).toBe(1)
    const annotation = ran.stdout
      .split('\n')
      .find((line) => line.startsWith('::error') && line.includes('Flyway fails'))
    expect(annotation, ran.stdout).toBeDefined()
    expect(annotation).toContain(`file=${DIR}/V2__add_index.sql`)
    expect(annotation).toContain('(V2__orders.sql)')
    const row = ran.summary.split('\n').find((line) => line.includes('more than one migration with version 2'))
    expect(row, ran.summary).toContain('V2__add_index.sql')
  })
})
