import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { git } from './helpers/git.js'
import { independentSum, makeDir, runCli } from './helpers/tmp.js'

// A new migration that sorts before the base's latest (two pull requests that took one version): the advice says to
// re-hash only where the directory has an atlas.sum (through dist/cli.js, --base).
const sql = (table: string): string =>
  `-- migrate:up\nCREATE TABLE ${table} (id int);\n-- migrate:down\nDROP TABLE ${table};\n`

function repo(withSum: boolean): string {
  const dir = makeDir({ 'db/migrations/2_a.sql': sql('a') })
  const migrations = path.join(dir, 'db/migrations')
  if (withSum) writeFileSync(path.join(migrations, 'atlas.sum'), independentSum(migrations, 'dbmate'))
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '.')
  git(dir, 'commit', '-q', '-m', 'base')
  writeFileSync(path.join(migrations, '2_b.sql'), sql('b'))
  if (withSum) writeFileSync(path.join(migrations, 'atlas.sum'), independentSum(migrations, 'dbmate'))
  return dir
}

describe('advice under --base', () => {
  it.each([
    [false, false],
    [true, true],
  ])('atlas.sum present: %s → the fix mentions hash: %s', (withSum, mentionsHash) => {
    const dir = repo(withSum)
    const ran = runCli(['validate', 'db/migrations', '--tool', 'dbmate', '--base', 'main'], {}, dir)
    expect(ran.status, ran.stderr).toBe(1)
    const line = ran.stderr.split('\n').find((text) => text.includes('out of order'))
    expect(line, ran.stderr).toBeDefined()
    expect(line!.includes('migration-image hash')).toBe(mentionsHash)
  })
})
