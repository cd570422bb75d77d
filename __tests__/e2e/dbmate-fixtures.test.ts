import { describe, expect, it } from 'vitest'
import { fixtureCases, fixtureDir, readExpected } from '../helpers/fixtures.js'
import { dockerStatus, freshDatabase, psqlAt, realEnv } from '../helpers/real-env.js'
import { runCli } from '../helpers/tmp.js'

// The real dbmate (its static release binary in the test environment's dbmate image, laid out like the official
// one: WORKDIR /, so it reads /db/migrations) runs every dbmate fixture against the real PostgreSQL. The verdict must
// agree with the tool: dbmate fails exactly where validation has an error, and the versions dbmate records are exactly
// the files validation reads as migrations (the ones it says dbmate ignores are not run).
const env = realEnv()
const cases = fixtureCases().filter(([tool]) => tool === 'dbmate')

describe('real dbmate on the dbmate fixtures', () => {
  it('there are dbmate fixtures on both sides', () => {
    const verdicts = new Set(cases.map(([tool, name]) => readExpected(tool, name).valid))
    expect([...verdicts].sort()).toEqual([false, true])
  })

  it.each(cases)('%s/%s', (tool, name) => {
    const dir = fixtureDir(tool, name)
    const ours = JSON.parse(runCli(['validate', dir, '--tool', 'dbmate', '--json']).stdout) as {
      valid: boolean
      files: { version?: string }[]
    }
    expect(ours.valid).toBe(readExpected(tool, name).valid)
    const db = freshDatabase(env)
    const ran = dockerStatus(env, [
      'run',
      '--rm',
      '--network',
      'host',
      '-v',
      `${dir}:/db/migrations:ro`,
      '-e',
      `DATABASE_URL=${db.url}`,
      '-e',
      'DBMATE_NO_DUMP_SCHEMA=true',
      env.MI_BASE_DBMATE,
      'up',
    ])
    const output = ran.stdout + ran.stderr
    expect(ran.status === 0, output).toBe(ours.valid)
    if (ours.valid) {
      const recorded = psqlAt(db.url, "SELECT coalesce(string_agg(version, ','), '') FROM schema_migrations")
      const read = ours.files.flatMap(({ version }) => (version === undefined ? [] : [version]))
      expect(recorded.split(',').filter(Boolean).sort(), output).toEqual(read.sort())
    }
  })
})
