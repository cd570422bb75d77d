import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runAction } from './helpers/runner.js'
import { makeDir, runCli } from './helpers/tmp.js'

// Flyway's own count (issue 17, item 8): what `flyway migrate` applies on a new database, by Flyway's reading of each
// name (ResourceNameParser), not the files Atlas's flyway format hashes. Through dist/: the CLI's verdict and JSON,
// and the action's outputs.
const FILES = {
  'V1__users.sql': 'CREATE TABLE users (id int);\n',
  'V2__orders.sql': 'CREATE TABLE orders (id int);\n',
  'V3_add_index.sql': 'CREATE INDEX i ON users (id);\n', // one underscore: Flyway skips it
  'sub/V5__later.SQL': 'CREATE TABLE later (id int);\n', // the suffix matches case-insensitively: Flyway runs it
  'R__views.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;\n', // repeatable: applied
  'afterMigrate.sql': 'SELECT 1;\n', // a callback: not a migration
}

function repo(): { root: string; dir: string } {
  const root = makeDir(Object.fromEntries(Object.entries(FILES).map(([name, text]) => [`db/${name}`, text])))
  const dir = path.join(root, 'db')
  expect(runCli(['hash', dir, '--tool', 'flyway']).status).toBe(0)
  return { root, dir }
}

describe('Flyway: the count and the latest version are what Flyway runs', () => {
  it('CLI: 4 migrations (V1, V2, V5, R__views), latest version 5', () => {
    const { dir } = repo()
    const ran = runCli(['validate', dir, '--tool', 'flyway'])
    expect(ran.status, ran.stderr).toBe(0)
    expect(ran.stdout).toContain(`${dir}: 4 migrations valid`)
    const json = JSON.parse(runCli(['validate', dir, '--tool', 'flyway', '--json']).stdout) as Record<string, unknown>
    expect(json).toMatchObject({ valid: true, count: 4, latestVersion: '5' })
    expect(ran.stdout + ran.stderr).toContain('V3_add_index.sql: Flyway skips this file')
  })

  it('the action: outputs count 4 and latest-version 5; the summary says 4 migrations', () => {
    const { root } = repo()
    const ran = runAction({ inputs: { dir: 'db', tool: 'flyway', build: 'false' }, cwd: root })
    expect(ran.status, ran.stdout).toBe(0)
    expect(ran.outputs).toMatchObject({ count: '4', 'latest-version': '5' })
    expect(ran.summary).toContain('**4 migrations** · latest version <code>5</code>')
  })
})
