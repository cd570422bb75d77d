import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { independentSum, makeDir, ROOT, runCli } from './helpers/tmp.js'

const three = (): string =>
  makeDir({ '1_first.sql': 'CREATE TABLE a (id int);\n', '2_second.sql': 'CREATE TABLE b (id int);\n' })

describe('cli validate', () => {
  it('the bundled example is valid (exit 0)', () => {
    const ran = runCli(['validate', 'examples/atlas/migrations'])
    expect(ran.stderr).toBe('')
    expect(ran.status).toBe(0)
    expect(ran.stdout).toContain('3 migrations valid, checksum h1:')
  })

  it('defaults to ./migrations', () => {
    const ran = runCli(['validate'], {}, path.join(ROOT, 'examples', 'atlas'))
    expect(ran.status).toBe(0)
    expect(ran.stdout).toMatch(/^migrations: 3 migrations valid/)
  })

  it("prints Atlas's block with the exact line and reason, and exits 1", () => {
    const dir = three()
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    writeFileSync(path.join(dir, '3_third.sql'), 'x')
    const ran = runCli(['validate', dir])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain(
      "You have a checksum error in your migration directory.\n\n\tL4: 3_third.sql was added\n\nPlease check your migration files and run 'atlas migrate hash' to re-hash the contents\n",
    )
    expect(ran.stderr).toContain(
      `error: ${dir}/atlas.sum:1: checksum error: L4: 3_third.sql was added — run 'migration-image hash ${dir}'`,
    )
  })

  it('--json gives files, versions, total and errors', () => {
    const dir = three()
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    const valid = JSON.parse(runCli(['validate', dir, '--json']).stdout)
    expect(valid).toMatchObject({
      valid: true,
      count: 2,
      latestVersion: '2',
      checksum: independentSum(dir).split('\n')[0],
      errors: [],
    })
    expect(valid.files.map((file: { name: string; version: string }) => [file.name, file.version])).toEqual([
      ['1_first.sql', '1'],
      ['2_second.sql', '2'],
    ])
    writeFileSync(path.join(dir, '2_second.sql'), 'y')
    const ran = runCli(['validate', dir, '--json'])
    expect(ran.status).toBe(1)
    const invalid = JSON.parse(ran.stdout)
    expect(invalid.valid).toBe(false)
    expect(invalid.difference).toEqual({ line: 3, name: '2_second.sql', change: 'edited' })
    expect(invalid.errors[0]).toMatchObject({ code: 'checksum-changed', file: `${dir}/atlas.sum`, line: 1 })
  })

  it('usage errors exit 2: unknown command, unknown option, unknown format (listing the known ones)', () => {
    expect(runCli(['frobnicate']).status).toBe(2)
    expect(runCli(['validate', '--nope']).status).toBe(2)
    expect(runCli([]).status).toBe(2)
    const format = runCli(['validate', 'examples/atlas/migrations', '--format', 'rails'])
    expect(format.status).toBe(2)
    expect(format.stderr).toContain("error: unknown format 'rails' — use one of: atlas")
  })

  describe('bad input: one line naming the path, no stack trace', () => {
    const oneLine = (args: string[], env = {}): string => {
      const ran = runCli(args, env)
      expect(ran.status).toBe(1)
      expect(ran.stderr).not.toMatch(/\n\s+at /)
      return ran.stderr.trim().split('\n')[0]
    }

    it('missing directory', () => {
      expect(oneLine(['validate', '/nonexistent/mig'])).toBe(
        'error: /nonexistent/mig: does not exist — check DIR (relative to the current directory)',
      )
    })

    it('directory is a file', () => {
      const dir = makeDir({ 'f.sql': 'x' })
      expect(oneLine(['validate', path.join(dir, 'f.sql')])).toContain(`${dir}/f.sql: is not a directory`)
    })

    it('unreadable directory (run as an unprivileged user)', () => {
      const dir = makeDir({ '1_a.sql': 'x' })
      chmodSync(dir, 0o700)
      // root reads everything; drop to nobody when we are root, so the permission check is real
      if (process.getuid?.() === 0) {
        const asNobody = spawnSync(
          'runuser',
          ['-u', 'nobody', '--', process.execPath, path.join(ROOT, 'dist/cli.js'), 'validate', dir],
          { encoding: 'utf8' },
        )
        expect(asNobody.status).toBe(1)
        expect(asNobody.stderr.trim()).toBe(
          `error: ${dir}: cannot be read (permission denied) — make it readable by the user running this`,
        )
      } else {
        expect(runCli(['validate', dir]).stderr).toContain('permission denied')
      }
    })

    it('file name that is not UTF-8', () => {
      const dir = makeDir({ '1_a.sql': 'x' })
      const bad = Buffer.concat([Buffer.from(dir + '/2_'), Buffer.from([0xff, 0xfe]), Buffer.from('.sql')])
      writeFileSync(bad, 'y')
      expect(oneLine(['validate', dir])).toBe(
        `error: ${dir}/2_\\xff\\xfe.sql: file name is not valid UTF-8 — rename it with UTF-8 characters only`,
      )
    })

    it('0-byte atlas.sum', () => {
      const dir = makeDir({ '1_a.sql': 'x', 'atlas.sum': '' })
      expect(oneLine(['validate', dir])).toBe(
        `error: ${dir}/atlas.sum:1: checksum mismatch: the file is empty — run 'migration-image hash ${dir}' (or 'atlas migrate hash') and commit atlas.sum`,
      )
    })

    it('binary file with NUL bytes', () => {
      const dir = makeDir({ '1_a.sql': Buffer.from([0, 1, 2, 3]) })
      writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
      expect(oneLine(['validate', dir])).toBe(
        `error: ${dir}/1_a.sql: holds NUL bytes: it is binary, not SQL — remove it or save it as UTF-8 text`,
      )
    })

    it('a fifo named *.sql is refused without blocking', () => {
      const dir = makeDir({ '1_a.sql': 'x' })
      execFileSync('mkfifo', [path.join(dir, '2_pipe.sql')])
      expect(oneLine(['validate', dir])).toContain(`${dir}/2_pipe.sql: is not a regular file`)
    })
  })
})

describe('cli tools', () => {
  it('--tool picks the format; --changelog names the Liquibase master', () => {
    expect(runCli(['validate', 'examples/liquibase/changelog', '--tool', 'liquibase']).status).toBe(0)
    const ran = runCli(['validate', 'examples/liquibase/changelog', '--tool', 'liquibase', '--changelog', 'main.xml'])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain("the changelog 'main.xml' is not in the directory — check the changelog input")
    expect(
      runCli(['validate', 'examples/golang-migrate/migrations', '--tool', 'golang-migrate', '--checksum', 'sometimes'])
        .status,
    ).toBe(2)
  })
})

describe('cli hash', () => {
  it('writes atlas.sum byte-identical to the independent implementation, which then validates', () => {
    const dir = makeDir({ '10_c.sql': 'C', '1_a.sql': 'A\r\n', '2_b.sql': '-- atlas:sum ignore\nB', 'é_bad.sql': 'x' })
    mkdirSync(path.join(dir, 'sub'))
    const ran = runCli(['hash', dir])
    expect(ran.status).toBe(0)
    expect(readFileSync(path.join(dir, 'atlas.sum'), 'utf8')).toBe(independentSum(dir))
    expect(ran.stderr).not.toContain('é_bad.sql') // any *.sql is an Atlas file (version 'é')
    expect(runCli(['validate', dir]).stderr).not.toContain('checksum')
  })

  // What validate refuses, hash refuses: each of these makes `validate` reject the sum hash would write, so hash stops
  // with validate's own error before writing anything (an existing atlas.sum is left as it was).
  it.each([
    ['a name atlas.sum cannot hold', () => makeDir({ '1_a.sql': 'A', '2_b\n.sql': 'B' }), 'atlas', 'control character'],
    [
      'a migration that is a link',
      () => {
        const dir = makeDir({ '1_a.sql': 'A', 'target.txt': 'B' })
        symlinkSync('target.txt', path.join(dir, '2_b.sql'))
        return dir
      },
      'atlas',
      'is a symlink',
    ],
    [
      'a directory named like a migration (atlas)',
      () => makeDir({ '1_a.sql': 'A', 'x.sql/y': '' }),
      'atlas',
      'directory',
    ],
    [
      'a directory named like a migration (golang-migrate)',
      () => makeDir({ '1_a.up.sql': 'A', '2_b.up.sql/y': '' }),
      'golang-migrate',
      'directory',
    ],
  ])('refuses %s before writing, with the error validate gives', (_case, make, tool, says) => {
    const dir = make()
    writeFileSync(path.join(dir, 'atlas.sum'), 'kept\n')
    const validated = runCli(['validate', dir, '--tool', tool, '--json'])
    const ran = runCli(['hash', dir, '--tool', tool])
    expect(ran.status).toBe(1)
    expect(ran.stdout).toBe('')
    expect(ran.stderr).toContain(says)
    expect(ran.stderr).toMatch(/atlas\.sum was not written/)
    expect(readFileSync(path.join(dir, 'atlas.sum'), 'utf8')).toBe('kept\n')
    // The same problem validate reports, word for word.
    const json = JSON.parse(validated.stdout) as Record<'errors' | 'warnings', { message: string }[]>
    const refusal = [...json.errors, ...json.warnings].find(({ message }) => message.includes(says))
    expect(refusal).toBeDefined()
    expect(ran.stderr).toContain(refusal!.message)
  })

  it('on an empty directory writes the empty sum', () => {
    const dir = makeDir()
    expect(runCli(['hash', dir]).status).toBe(0)
    expect(readFileSync(path.join(dir, 'atlas.sum'), 'utf8')).toBe('h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n')
  })
})
