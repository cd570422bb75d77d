import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, runCli } from './helpers/tmp.js'

// Test with the versions you ship: the dbmate the e2e tests run (scripts/test-env.sh) is the one the preset pins.
describe('tool versions', () => {
  it("the dbmate preset's image is the release the tests run (through dist/cli.js dockerfile)", () => {
    const env = readFileSync(path.join(ROOT, 'scripts', 'test-env.sh'), 'utf8')
    const tested = /^DBMATE_VERSION=(\S+)$/m.exec(env)?.[1]
    expect(tested).toMatch(/^\d+\.\d+\.\d+$/)
    const ran = runCli(['dockerfile', 'examples/dbmate/db/migrations', '--tool', 'dbmate'])
    expect(ran.status, ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(new RegExp(`^FROM ghcr\\.io/amacneil/dbmate:${tested!.replaceAll('.', '\\.')}$`, 'm'))
  })
})
