import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ACTION_NODE, runAction as run } from './helpers/runner.js'
import { independentSum, makeDir, ROOT } from './helpers/tmp.js'

const runAction = (inputs: Record<string, string>, cwd: string) => run({ inputs, cwd })

describe('action (node dist/index.js as the runner runs it)', () => {
  it('on the bundled example: outputs, summary, success', () => {
    const ran = runAction({ dir: 'examples/atlas/migrations', build: 'false' }, ROOT)
    expect(ran.status).toBe(0)
    expect(ran.stdout).not.toContain('::error')
    const expected = independentSum(path.join(ROOT, 'examples/atlas/migrations')).split('\n')[0]
    expect(ran.outputs).toMatchObject({
      checksum: expected,
      count: '3',
      'latest-version': '20240115083000',
      valid: 'true',
    })
    expect(ran.summary).toContain('### Migrations: examples/atlas/migrations (atlas) — ✅ valid')
    // Each migration's name links to the file at the commit.
    expect(ran.summary).toMatch(
      /\| 20240101120000 \| \[<code>20240101120000&#95;create&#95;users\.sql<\/code>\]\(https:\/\/github\.com\/acme\/api\/blob\/[0-9a-f]{40}\/examples\/atlas\/migrations\/20240101120000_create_users\.sql\) \|/,
    )
    expect(ran.summary).toContain(`<code>${expected}</code>`)
  })

  it('on an outdated atlas.sum: the verdict, then one annotation on the atlas.sum line it names and a note on the file', () => {
    const repo = makeDir({ 'db/migrations/1_a.sql': 'A', 'db/migrations/2_b.sql': 'B' })
    writeFileSync(path.join(repo, 'db/migrations/atlas.sum'), independentSum(path.join(repo, 'db/migrations')))
    writeFileSync(path.join(repo, 'db/migrations/2_b.sql'), 'B changed')
    const ran = runAction({ dir: 'db/migrations' }, repo)
    expect(ran.status).toBe(1)
    const lines = ran.stdout.split('\n').filter(Boolean)
    expect(lines.slice(0, 3)).toEqual([
      'db/migrations: invalid (1 error)',
      "::error title=migration-image (checksum-changed),file=db/migrations/atlas.sum,line=3::checksum error: L3: 2_b.sql was edited — run 'migration-image hash db/migrations' (or 'atlas migrate hash') and commit atlas.sum",
      "::notice title=migration-image (checksum-changed),file=db/migrations/2_b.sql::this file's hash is not the one atlas.sum line 3 holds (it was edited): see the atlas.sum error",
    ])
    expect(ran.stdout).toMatch(/^::error::db\/migrations: invalid \(1 error\); nothing was built or pushed$/m)
    // said once: no second copy of the error in Atlas's block
    expect(ran.stdout.match(/2_b\.sql was edited/g)).toHaveLength(1)
    expect(ran.outputs.valid).toBe('false')
    expect(ran.summary).toContain('— ❌ 1 error')
    expect(ran.summary).toContain(
      '[<code>db/migrations/atlas.sum:3</code>](https://github.com/acme/api/blob/c0ffee0000000000000000000000000000000000/db/migrations/atlas.sum#L3)',
    )
  })

  it('annotates the offending file for naming errors', () => {
    const up = '-- +goose Up\nSELECT 1;\n'
    const repo = makeDir({ 'migrations/1_a.sql': up, 'migrations/01_b.sql': up })
    writeFileSync(path.join(repo, 'migrations/atlas.sum'), independentSum(path.join(repo, 'migrations')))
    const ran = runAction({ tool: 'goose' }, repo)
    expect(ran.status).toBe(1)
    expect(ran.stdout).toContain(
      '::error title=migration-image (goose/duplicate-version),file=migrations/1_a.sql::goose panics: duplicate version 1 detected (01_b.sql) — give one of them a new, higher version',
    )
  })

  it('a missing directory fails with one annotation naming it', () => {
    const ran = runAction({ dir: 'nope' }, makeDir())
    expect(ran.status).toBe(1)
    expect(ran.stdout).toContain('::error file=nope::does not exist')
    expect(ran.stdout.match(/^::error/gm)).toHaveLength(1)
    expect(ran.stdout).not.toMatch(/\n\s+at /)
  })

  it('an unknown tool is an input error listing the known ones', () => {
    const ran = runAction({ tool: 'rails' }, ROOT)
    expect(ran.status).toBe(1)
    expect(ran.stdout).toContain(
      "unknown tool 'rails' — use one of: atlas, golang-migrate, flyway, liquibase, dbmate, goose, psql",
    )
  })
})

describe('runtime', () => {
  it('the action entry runs under Node 24, as action.yml says (node24)', ({ skip }) => {
    const version = execFileSync(ACTION_NODE, ['--version'], { encoding: 'utf8' }).trim()
    // Without the test env's Node 24 binary the action runs on this Node: a check only where that one is 24.
    skip(
      ACTION_NODE === process.execPath && !version.startsWith('v24.'),
      `no Node 24 binary (scripts/test-env.sh up fetches one): the action ran on this Node, ${version}`,
    )
    expect(version).toMatch(/^v24\./)
    expect(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')).toMatch(/^ {2}using: node24$/m)
  })
})
