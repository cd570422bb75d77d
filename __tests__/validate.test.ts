import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateDirectory } from '../src/core/check/validate.js'
import { independentSum, makeDir } from './helpers/tmp.js'

/** A directory with three migrations and the atlas.sum the independent implementation writes for it. */
function hashedDir(extra: Record<string, string> = {}): string {
  const dir = makeDir({
    '1_first.sql': 'CREATE TABLE a (id int);\n',
    '2_second.sql': 'CREATE TABLE b (id int);\n',
    '3_third.sql': 'CREATE TABLE c (id int);\n',
    ...extra,
  })
  writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
  return dir
}

const codes = async (dir: string): Promise<string[]> => (await validateDirectory(dir)).problems.map(({ code }) => code)

describe('validate: atlas.sum', () => {
  it('a freshly hashed directory is valid and reports count, latest version and checksum', async () => {
    const dir = hashedDir()
    const validation = await validateDirectory(dir)
    expect(validation.problems).toEqual([])
    expect(validation.valid).toBe(true)
    expect(validation.migrations.map(({ version }) => version)).toEqual(['1', '2', '3'])
    expect(validation.latestVersion).toBe('3')
    expect(validation.checksum).toBe(independentSum(dir).split('\n')[0])
  })

  it('no atlas.sum and no files is fine; no atlas.sum with files is "checksum file not found"', async () => {
    expect((await validateDirectory(makeDir({ 'README.md': 'x' }))).valid).toBe(true)
    const dir = makeDir({ '1_a.sql': 'A' })
    const [problem] = (await validateDirectory(dir)).problems
    expect(problem).toMatchObject({
      code: 'checksum-not-found',
      message: 'checksum file not found',
      file: path.join(dir, 'atlas.sum'),
    })
  })

  it('git conflict markers are "checksum file format invalid" on their line', async () => {
    const dir = hashedDir()
    const [total, ...entries] = independentSum(dir).trimEnd().split('\n')
    writeFileSync(
      path.join(dir, 'atlas.sum'),
      [
        total,
        entries[0],
        '<<<<<<< HEAD',
        entries[1],
        '=======',
        '2_other.sql h1:abc=',
        '>>>>>>> feature',
        entries[2],
        '',
      ].join('\n'),
    )
    const [problem] = (await validateDirectory(dir)).problems
    expect(problem).toMatchObject({ code: 'checksum-format', line: 3 })
    expect(problem.message).toContain('checksum file format invalid')
    expect(problem.message).toContain('conflict marker')
    expect(problem.fix).toContain('rebase')
  })

  it('a tampered total is "checksum mismatch" on line 1', async () => {
    const dir = hashedDir()
    const lines = independentSum(dir).split('\n')
    lines[0] = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
    writeFileSync(path.join(dir, 'atlas.sum'), lines.join('\n'))
    expect((await validateDirectory(dir)).problems[0]).toMatchObject({
      code: 'checksum-mismatch',
      line: 1,
      message: expect.stringContaining('checksum mismatch'),
    })
  })

  it('a 0-byte atlas.sum is a mismatch that says the file is empty', async () => {
    const dir = makeDir({ '1_a.sql': 'A', 'atlas.sum': '' })
    expect((await validateDirectory(dir)).problems[0]).toMatchObject({
      code: 'checksum-mismatch',
      message: 'checksum mismatch: the file is empty',
    })
  })

  it('reads CRLF atlas.sum lines and padded names as Atlas does', async () => {
    const dir = hashedDir()
    const crlf = independentSum(dir).replace(/ h1:/g, '   h1:').replace(/\n/g, '\r\n')
    writeFileSync(path.join(dir, 'atlas.sum'), crlf)
    expect(await codes(dir)).toEqual([])
  })

  const changed = async (dir: string): Promise<unknown> => (await validateDirectory(dir)).difference

  it('an added file at the end: L5 added', async () => {
    const dir = hashedDir()
    writeFileSync(path.join(dir, '4_fourth.sql'), 'x')
    expect(await changed(dir)).toEqual({ line: 5, name: '4_fourth.sql', change: 'added' })
  })

  it('an added file in the middle: the file at its index was added', async () => {
    const dir = hashedDir()
    writeFileSync(path.join(dir, '2_a_between.sql'), 'x')
    expect(await changed(dir)).toEqual({ line: 3, name: '2_a_between.sql', change: 'added' })
  })

  it('an edited file: L3 edited', async () => {
    const dir = hashedDir()
    writeFileSync(path.join(dir, '2_second.sql'), 'CREATE TABLE b (id bigint);\n')
    expect(await changed(dir)).toEqual({ line: 3, name: '2_second.sql', change: 'edited' })
  })

  it('a removed file: L3 removed', async () => {
    const dir = hashedDir()
    rmSync(path.join(dir, '2_second.sql'))
    expect(await changed(dir)).toEqual({ line: 3, name: '2_second.sql', change: 'removed' })
  })

  it('the last file removed: L4 removed', async () => {
    const dir = hashedDir()
    rmSync(path.join(dir, '3_third.sql'))
    expect(await changed(dir)).toEqual({ line: 4, name: '3_third.sql', change: 'removed' })
  })

  it('a renamed file reads as the old name removed', async () => {
    const dir = hashedDir()
    renameSync(path.join(dir, '2_second.sql'), path.join(dir, '2_renamed.sql'))
    expect(await changed(dir)).toEqual({ line: 3, name: '2_second.sql', change: 'removed' })
  })

  it('an earlier edit changes every later running hash, but the first difference is reported', async () => {
    const dir = hashedDir()
    writeFileSync(path.join(dir, '1_first.sql'), 'changed')
    expect(await changed(dir)).toEqual({ line: 2, name: '1_first.sql', change: 'edited' })
  })

  it('a CRLF checkout that breaks the sum adds a .gitattributes hint', async () => {
    const dir = hashedDir()
    writeFileSync(path.join(dir, '2_second.sql'), 'CREATE TABLE b (id int);\r\n')
    const validation = await validateDirectory(dir)
    expect(validation.problems.map(({ code }) => code)).toEqual(['checksum-changed', 'line-endings'])
    expect(validation.problems[1].message).toContain('CRLF line endings in 2_second.sql')
    expect(validation.problems[1].fix).toContain('*.sql text eol=lf')
  })

  it('a BOM that breaks the sum is named too', async () => {
    const dir = hashedDir()
    writeFileSync(path.join(dir, '3_third.sql'), '\uFEFFCREATE TABLE c (id int);\n')
    const validation = await validateDirectory(dir)
    expect(validation.problems[1].message).toContain('a UTF-8 BOM in 3_third.sql')
  })

  it('CRLF files with a matching sum are valid (Atlas hashes raw bytes)', async () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\r\n' })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    expect(await codes(dir)).toEqual([])
  })
})

describe('validate: names and entries', () => {
  it('every top-level *.sql is an Atlas migration: the version is the text before the first _ (or the whole stem)', async () => {
    const dir = makeDir({
      'init.sql': 'A',
      '_x.sql': 'B',
      '.hidden.sql': 'C',
      '1_.sql': 'D',
      '2.10.x-20_desc.sql': 'E',
    })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    const validation = await validateDirectory(dir)
    expect(validation.problems).toEqual([])
    expect(validation.migrations.map(({ name, version }) => [name, version])).toEqual([
      ['.hidden.sql', '.hidden'],
      ['1_.sql', '1'],
      ['2.10.x-20_desc.sql', '2.10.x-20'],
      ['_x.sql', ''],
      ['init.sql', 'init'],
    ])
  })

  it('a directory named like a migration is an error: Atlas fails reading it', async () => {
    const dir = makeDir({ '1_a.sql': 'A', 'x.sql/inner.txt': '' })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    expect((await validateDirectory(dir)).problems).toMatchObject([
      { code: 'atlas/directory-named-sql', severity: 'error', file: path.join(dir, 'x.sql') },
    ])
  })

  it('duplicate versions are a warning (Atlas does not refuse them) that names both files', async () => {
    const dir = makeDir({ '1_a.sql': 'A', '1_b.sql': 'B' })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    const validation = await validateDirectory(dir)
    expect(validation.valid).toBe(true)
    expect(validation.problems).toMatchObject([
      {
        code: 'atlas/duplicate-version',
        severity: 'warning',
        file: path.join(dir, '1_b.sql'),
        message:
          'version 1 is also used by 1_a.sql: Atlas stores applied revisions by version, so the two share one revision record',
      },
    ])
  })

  it('a symlinked .sql file is an error, and it is never read (links are not followed)', async () => {
    const outside = makeDir({ 'secret.sql': 'SELECT 1;' })
    const dir = makeDir({ '1_a.sql': 'A' })
    symlinkSync(path.join(outside, 'secret.sql'), path.join(dir, '2_link.sql'))
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    const problems = (await validateDirectory(dir)).problems
    expect(problems.map(({ code }) => code)).toEqual(['symlink'])
    expect(problems[0].file).toBe(path.join(dir, '2_link.sql'))
  })

  it('a binary file with NUL bytes is named', async () => {
    const dir = makeDir({ '1_a.sql': Buffer.from([0x53, 0x00, 0x01, 0x02]) })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    expect((await validateDirectory(dir)).problems[0]).toMatchObject({
      code: 'binary',
      file: path.join(dir, '1_a.sql'),
    })
  })
})
