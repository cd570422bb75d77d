import { createHash } from 'node:crypto'
import { existsSync, lstatSync, renameSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openRegular, readBounded } from '../../src/core/check/safe-read.js'
import { runAction } from '../helpers/runner.js'
import { makeDir, ROOT, runCli } from '../helpers/tmp.js'

// O_NOFOLLOW guards only the last component of a path. These tests swap a sub-directory of the migrations for a
// link to a directory outside, after the listing and just before a file in it is opened, and check that nothing
// outside is read. Through dist/, the swap is made to happen every time by a preload that wraps fs.openSync
// (__tests__/helpers/swap-on-open.mjs): the race, without the luck.
const SWAP = path.join(ROOT, '__tests__/helpers/swap-on-open.mjs')
const GENUINE = 'CREATE TABLE b (id int);\n'
const STOLEN = 'SELECT pg_read_file($$/etc/shadow$$); -- stolen\n'

/** A Flyway tree (it recurses into sub-directories) and, outside it, a directory with the same file name. */
function tree(): { repo: string; dir: string; sub: string; outside: string } {
  const repo = makeDir({
    'migrations/V1__a.sql': 'CREATE TABLE a (id int);\n',
    'migrations/sub/V2__b.sql': GENUINE,
  })
  const outside = makeDir({ 'V2__b.sql': STOLEN })
  const dir = path.join(repo, 'migrations')
  return { repo, dir, sub: path.join(dir, 'sub'), outside }
}

const swapEnv = (t: { sub: string; outside: string }): NodeJS.ProcessEnv => ({
  NODE_OPTIONS: `--import ${SWAP}`,
  MI_SWAP_ON: `${path.sep}sub${path.sep}V2__b.sql`,
  MI_SWAP_DIR: t.sub,
  MI_SWAP_TO: t.outside,
})

const b64 = (text: string): string => createHash('sha256').update(text).digest('base64')

describe('a sub-directory swapped for a link between the listing and the open', () => {
  it('the core: a handle that is not the listed file under the directory is refused; without the root it is read', () => {
    const t = tree()
    renameSync(t.sub, `${t.sub}.listed`)
    symlinkSync(t.outside, t.sub)
    const file = path.join(t.sub, 'V2__b.sql')
    // The guard this test is about: O_NOFOLLOW alone opens it (the link is not the last component).
    expect(readBounded(file, 1 << 20).toString()).toBe(STOLEN)
    expect(() => openRegular(file, 1 << 20, t.dir)).toThrow(/is not where it was listed/)
    expect(() => readBounded(file, 1 << 20, t.dir)).toThrow(/is not where it was listed/)
    // A link above the directory (a checkout under a linked home) is not a swap.
    const above = path.join(makeDir(), 'linked-repo')
    symlinkSync(t.repo, above)
    expect(readBounded(path.join(above, 'migrations/V1__a.sql'), 1 << 20, path.join(above, 'migrations')).length).toBe(
      25,
    )
  })

  it('the preload swaps for real: with no swap asked for, hash writes the genuine sum', () => {
    const t = tree()
    const ran = runCli(['hash', t.dir, '--tool', 'flyway'], { NODE_OPTIONS: `--import ${SWAP}` })
    expect(ran.status, ran.stderr).toBe(0)
    expect(existsSync(path.join(t.dir, 'atlas.sum'))).toBe(true)
  })

  it('CLI hash: the file is refused by name and no atlas.sum is written', () => {
    const t = tree()
    const ran = runCli(['hash', t.dir, '--tool', 'flyway'], swapEnv(t))
    // The swap did happen (the preload ran in the bundled CLI).
    expect(lstatSync(t.sub).isSymbolicLink()).toBe(true)
    expect(ran.status).toBe(1)
    expect(ran.stderr.trim()).toBe(
      `error: ${path.join(t.sub, 'V2__b.sql')}: is not where it was listed: a directory on its path was replaced by a link while it was read (links are never followed) — replace the linked directory with a real one, and let nothing change the directory while it is checked`,
    )
    expect(existsSync(path.join(t.dir, 'atlas.sum'))).toBe(false)
    expect(ran.stdout + ran.stderr).not.toContain(b64(STOLEN))
  })

  it('CLI validate --json: invalid, naming the file; nothing of the outside file is shown', () => {
    const t = tree()
    expect(runCli(['hash', t.dir, '--tool', 'flyway']).status).toBe(0)
    const ran = runCli(['validate', t.dir, '--tool', 'flyway', '--json'], swapEnv(t))
    expect(ran.status).toBe(1)
    expect(JSON.parse(ran.stdout)).toMatchObject({
      valid: false,
      error: { file: path.join(t.sub, 'V2__b.sql'), message: expect.stringMatching(/^is not where it was listed: /) },
    })
    expect(ran.stdout + ran.stderr).not.toContain('stolen')
  })

  it('the action: an error annotation on the file; nothing is built', () => {
    const t = tree()
    expect(runCli(['hash', t.dir, '--tool', 'flyway']).status).toBe(0)
    const ran = runAction({
      inputs: { dir: 'migrations', tool: 'flyway', build: 'false' },
      env: swapEnv(t),
      cwd: t.repo,
    })
    expect(ran.status, ran.stdout + ran.stderr).toBe(1)
    const errors = ran.stdout.split('\n').filter((line) => line.startsWith('::error'))
    expect(errors).toEqual([
      expect.stringMatching(/^::error file=migrations\/sub\/V2__b\.sql::is not where it was listed: /),
    ])
    expect(ran.stdout + ran.summary).not.toContain('stolen')
  })
})
