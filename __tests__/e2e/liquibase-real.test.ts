import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cases } from '../helpers/liquibase-fixtures.js'
import { ROOT } from '../helpers/tmp.js'
import { dockerStatus, freshDatabase, realEnv } from '../helpers/real-env.js'

// The real Liquibase (the local base image scripts/test-env.sh builds from npm's liquibase distribution, laid out
// like liquibase/liquibase) runs `validate` against the real PostgreSQL on the fixture cases marked realTool, and
// must agree with the bundled CLI: it fails exactly where we report an error.
const env = realEnv()

/** A copy the container's user (uid 1001) can read: mkdtemp directories are 0700. */
function readableCopy(dir: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'mi-liquibase-'))
  cpSync(dir, copy, { recursive: true })
  const open = (at: string): void => {
    chmodSync(at, statSync(at).isDirectory() ? 0o755 : 0o644)
    if (statSync(at).isDirectory()) for (const entry of readdirSync(at)) open(path.join(at, entry))
  }
  open(copy)
  return copy
}

function liquibaseValidate(dir: string, database: string): { status: number | null; output: string } {
  const master = readdirSync(dir).find((name) => name.startsWith('changelog.'))!
  const ran = dockerStatus(env, [
    'run',
    '--rm',
    '--network',
    'host',
    '-v',
    `${dir}:/liquibase/changelog:ro`,
    '-e',
    'JAVA_OPTS=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
    '-e',
    'LIQUIBASE_SEARCH_PATH=/liquibase/changelog',
    '-e',
    `LIQUIBASE_COMMAND_CHANGELOG_FILE=${master}`,
    '-e',
    `LIQUIBASE_COMMAND_URL=jdbc:postgresql://127.0.0.1:${env.MI_PG_PORT}/${database}`,
    '-e',
    `LIQUIBASE_COMMAND_USERNAME=${env.MI_PG_USER}`,
    '-e',
    `LIQUIBASE_COMMAND_PASSWORD=${env.MI_PG_PASSWORD}`,
    env.MI_BASE_LIQUIBASE,
    'validate',
  ])
  return { status: ran.status, output: ran.stdout + ran.stderr }
}

function ours(dir: string): number | null {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'validate', dir, '--tool', 'liquibase'], {
    encoding: 'utf8',
  }).status
}

describe('the real Liquibase agrees with the verdicts', () => {
  const real = cases().filter(({ expected }) => expected.realTool)

  it('covers both sides: cases Liquibase accepts and cases it rejects', () => {
    expect(real.some(({ expected }) => expected.liquibase === 'passes')).toBe(true)
    expect(real.some(({ expected }) => expected.liquibase === 'fails')).toBe(true)
  })

  for (const { name, dir, expected } of real) {
    it(`${name}: Liquibase ${expected.liquibase}, we say ${expected.verdict}`, () => {
      const { name: database } = freshDatabase(env)
      const copy = readableCopy(dir)
      const { status, output } = liquibaseValidate(copy, database)
      expect(status === 0 ? 'passes' : 'fails', output).toBe(expected.liquibase)
      // Liquibase stopped on the changelog, not on the database connection or the container.
      if (status !== 0) expect(output).not.toMatch(/Connection could not be created|Cannot find database driver/)
      expect(ours(copy)).toBe(expected.verdict === 'error' ? 1 : 0)
    })
  }
})
