import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { independentSum, makeDir, ROOT } from './helpers/tmp.js'

// `migration-image validate … | head -1`: the reader goes away before the CLI has written everything. The CLI ends
// quietly (no EPIPE stack) with the exit code of the work, as a user's shell sees it (bash's PIPESTATUS).
function piped(args: string[], reader: string, stream: 'stdout' | 'stderr' = 'stdout') {
  const cli = [process.execPath, path.join(ROOT, 'dist', 'cli.js'), ...args].map((arg) => `'${arg}'`).join(' ')
  const redirect = stream === 'stdout' ? `2>"$ERR"` : `2>&1 >/dev/null`
  const script = `ERR=$(mktemp); ${cli} ${redirect} | ${reader} >/dev/null; status=\${PIPESTATUS[0]}; cat "$ERR" >&2; rm -f "$ERR"; exit $status`
  return spawnSync('bash', ['-c', script], { encoding: 'utf8' })
}

const many = (): Record<string, string> =>
  Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`${i + 1}_m.sql`, `CREATE TABLE t${i} (id int);\n`]))

describe('the CLI in a pipe (through dist/cli.js)', () => {
  it('a valid directory piped into a reader that quits: exit 0, nothing on stderr', () => {
    const dir = makeDir(many())
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    const ran = piped(['validate', dir, '--json'], 'true')
    expect(ran.stderr).toBe('')
    expect(ran.status).toBe(0)
  })

  it('an invalid directory piped into head -1: exit 1 (the verdict), no stack', () => {
    // 400 migrations and no atlas.sum: atlas requires one, so the directory is invalid.
    const ran = piped(['validate', makeDir(many()), '--json'], 'head -c 1')
    expect(ran.stderr).not.toMatch(/EPIPE|\n\s+at /)
    expect(ran.status).toBe(1)
  })

  it('stderr piped into a reader that quits: the work still decides the exit code', () => {
    // A valid dbmate directory with 400 files dbmate ignores: 400 notices on stderr, exit 0.
    const sql = '-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n'
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`note${i}.txt`, 'x']))
    const ran = piped(['validate', makeDir({ ...files, '1_a.sql': sql }), '--tool', 'dbmate'], 'true', 'stderr')
    expect(ran.stderr).not.toMatch(/EPIPE|\n\s+at /)
    expect(ran.status).toBe(0)
  })
})
