import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cases, FIXTURES } from './helpers/liquibase-fixtures.js'
import { runAction } from './helpers/runner.js'
import { ROOT } from './helpers/tmp.js'

interface Found {
  code: string
  message: string
  file: string
  line?: number
}

interface Json {
  valid: boolean
  errors: Found[]
  warnings: Found[]
  notices: Found[]
  shipped: string[]
  uncovered: { name: string; reason: string }[]
}

function validate(dir: string): { status: number | null; json: Json; stderr: string } {
  const ran = spawnSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'cli.js'), 'validate', dir, '--tool', 'liquibase', '--json'],
    { encoding: 'utf8' },
  )
  return { status: ran.status, json: JSON.parse(ran.stdout) as Json, stderr: ran.stderr }
}

describe('Liquibase fixtures through dist/cli.js', () => {
  it('has a case for each verdict, on both sides of what Liquibase does', () => {
    const all = cases()
    expect(new Set(all.map(({ expected }) => expected.verdict))).toEqual(new Set(['ok', 'error', 'warning', 'notice']))
    // Never an error Liquibase would not raise: every error case is one where Liquibase fails, and back.
    for (const { name, expected } of all) {
      expect(expected.verdict === 'error', name).toBe(expected.liquibase === 'fails')
      expect(expected.source, name).toMatch(/v4\.33\.0 .+\.java/)
    }
  })

  // fixtures.test.ts runs each case once through dist/cli.js, side by side: its whole problem list and exit status,
  // and the message of the problem that proves the rule (`verdict`, `message` in expect.json).

  it('ships the changelog tree and lists what atlas.sum does not cover, with the reason', () => {
    const { json } = validate(path.join(FIXTURES, 'includeall-subfolder', 'migrations'))
    expect(json.shipped).toEqual(['changelog.xml', 'changes/001_users.sql', 'changes/002_orders.sql'])
    expect(json.uncovered).toEqual([
      {
        name: 'changelog.xml',
        reason: "Atlas's liquibase format hashes only top-level .sql files, not XML, YAML, JSON or other changelogs",
      },
      {
        name: 'changes/001_users.sql',
        reason: "Atlas's liquibase format hashes only top-level .sql files, not files in sub-folders",
      },
      {
        name: 'changes/002_orders.sql',
        reason: "Atlas's liquibase format hashes only top-level .sql files, not files in sub-folders",
      },
    ])
    const sqlFile = validate(path.join(FIXTURES, 'sqlfile-ok', 'migrations')).json
    expect(sqlFile.shipped).toEqual(['changelog.xml', 'sql/users.sql'])
  })

  it('prints the files atlas.sum does not cover in the text report', () => {
    const ran = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'cli.js'),
        'validate',
        path.join(FIXTURES, 'yaml-ok', 'migrations'),
        '--tool',
        'liquibase',
      ],
      { encoding: 'utf8' },
    )
    expect(ran.status).toBe(0)
    expect(ran.stdout + ran.stderr).toContain(
      "not covered by atlas.sum: changelog.yaml (Atlas's liquibase format hashes only top-level .sql files, not XML, YAML, JSON or other changelogs)",
    )
  })

  it('the action (dist/index.js) lists them in the job summary', () => {
    const ran = runAction({
      inputs: {
        dir: '__tests__/fixtures/liquibase/includeall-subfolder/migrations',
        tool: 'liquibase',
        build: 'false',
      },
      cwd: ROOT,
    })
    expect(ran.status, ran.stdout).toBe(0)
    expect(ran.summary).toContain(
      "ℹ️ 2 files shipped in the image are not covered by atlas.sum: Atlas's liquibase format hashes only top-level .sql files, not files in sub-folders.",
    )
    expect(ran.summary).toContain('- <code>changes/002&#95;orders.sql</code>')
  })
})
