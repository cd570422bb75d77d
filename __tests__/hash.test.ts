import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateDirectory } from '../src/core/check/validate.js'
import { independentSum, makeDir } from './helpers/tmp.js'

const computed = async (dir: string): Promise<string> => (await validateDirectory(dir)).sumFile

describe('atlas.sum bytes (checked against an independent Python hashlib implementation)', () => {
  it('empty directory: the sha256 of nothing', async () => {
    const dir = makeDir()
    // sha256 of no input, base64: printf '' | sha256sum | xxd -r -p | base64
    const empty = execFileSync('sh', ['-c', "printf '' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64"], {
      encoding: 'utf8',
    }).trim()
    expect(empty).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
    expect(await computed(dir)).toBe(`h1:${empty}\n`)
    expect(independentSum(dir)).toBe(`h1:${empty}\n`)
  })

  it('one file: the running hash is sha256(name + content), checked with sha256sum', async () => {
    const dir = makeDir({ '1_a.sql': 'CREATE TABLE a (id int);\n' })
    const entry = execFileSync(
      'sh',
      ['-c', "printf '%s' '1_a.sqlCREATE TABLE a (id int);\n' | sha256sum | cut -d' ' -f1 | xxd -r -p | base64"],
      { encoding: 'utf8' },
    ).trim()
    const sum = await computed(dir)
    expect(sum.split('\n')[1]).toBe(`1_a.sql h1:${entry}`)
    expect(sum).toBe(independentSum(dir))
  })

  it('sorts by UTF-8 bytes: 10_ before 1_, uppercase before lowercase, non-ASCII last', async () => {
    const dir = makeDir({
      '2_b.sql': 'B',
      '1_a.sql': 'A',
      '10_c.sql': 'C',
      '3_Z.sql': 'Z',
      '3_a.sql': 'a',
      '4_é.sql': 'e-acute',
      '4_z.sql': 'z',
      '.5_hidden.sql': 'dot files count',
      'notes.txt': 'not counted',
      'UPPER.SQL': 'suffix is case-sensitive',
    })
    const sum = await computed(dir)
    expect(sum).toBe(independentSum(dir))
    const names = sum
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(' ')[0])
    expect(names).toEqual([
      '.5_hidden.sql',
      '10_c.sql',
      '1_a.sql',
      '2_b.sql',
      '3_Z.sql',
      '3_a.sql',
      '4_z.sql',
      '4_é.sql',
    ])
  })

  it('ignores sub-directories, even ones named *.sql', async () => {
    const dir = makeDir({ '1_a.sql': 'A', 'nested.sql/2_b.sql': 'B', 'sub/3_c.sql': 'C' })
    const sum = await computed(dir)
    expect(sum).toBe(independentSum(dir))
    expect(sum.trimEnd().split('\n')).toHaveLength(2)
  })

  describe('atlas:sum ignore directive', () => {
    const cases: [string, string, boolean][] = [
      ['-- atlas:sum ignore', '-- atlas:sum ignore\nSELECT 1;\n', true],
      ['#atlas:sum ignore', '#atlas:sum ignore\nSELECT 1;\n', true],
      ['two spaces', '-- atlas:sum  ignore\nSELECT 1;\n', true],
      ['only line, no newline', '-- atlas:sum ignore', true],
      ['CRLF keeps \\r in the argument', '-- atlas:sum ignore\r\nSELECT 1;\r\n', false],
      ['on line 2', 'SELECT 1;\n-- atlas:sum ignore\n', false],
      ['extra argument', '-- atlas:sum ignore extra\nSELECT 1;\n', false],
      ['trailing space', '-- atlas:sum ignore \nSELECT 1;\n', false],
      ['other directive', '-- atlas:delimiter ignore\nSELECT 1;\n', false],
      ['BOM before it', '\uFEFF-- atlas:sum ignore\nSELECT 1;\n', false],
    ]
    it.each(cases)('%s', async (_label, content, ignored) => {
      const dir = makeDir({ '1_a.sql': 'A', '2_b.sql': content, '3_c.sql': 'C' })
      const validation = await validateDirectory(dir)
      expect(validation.sumFile).toBe(independentSum(dir))
      expect(validation.migrations[1].ignored).toBe(ignored)
      expect(validation.entries.map(({ name }) => name)).toEqual(
        ignored ? ['1_a.sql', '3_c.sql'] : ['1_a.sql', '2_b.sql', '3_c.sql'],
      )
    })

    it('an ignored file still feeds its name: changing its content keeps the sum, renaming it does not', async () => {
      const dir = makeDir({ '1_a.sql': 'A', '2_b.sql': '-- atlas:sum ignore\nSELECT 1;\n', '3_c.sql': 'C' })
      const before = await computed(dir)
      writeFileSync(path.join(dir, '2_b.sql'), '-- atlas:sum ignore\nSELECT 2;\n')
      expect(await computed(dir)).toBe(before)
      const renamed = makeDir({ '1_a.sql': 'A', '2_x.sql': '-- atlas:sum ignore\nSELECT 1;\n', '3_c.sql': 'C' })
      expect(await computed(renamed)).not.toBe(before)
      expect(await computed(renamed)).toBe(independentSum(renamed))
    })

    it('reads a first line longer than the read buffer', async () => {
      const long = `-- atlas:sum ignore${' '.repeat(3 << 20)}x\nSELECT 1;\n`
      const dir = makeDir({ '1_a.sql': long, '2_b.sql': `SELECT '${'y'.repeat(3 << 20)}';` })
      expect(await computed(dir)).toBe(independentSum(dir))
    })

    it('a first line longer than the buffer that is a directive, or is not one, agrees with Atlas (streamed)', async () => {
      const lines = [
        `${'x'.repeat(3 << 20)} atlas:sum    ignore\nSELECT 1;\n`, // ignored: printable prefix, directive at the end
        `${'x'.repeat(3 << 20)} atlas:sum ignore`, // ignored, no newline at all
        `${'x'.repeat(3 << 20)}\u0001 atlas:sum ignore\nSELECT 1;\n`, // a control byte before it: not a directive
        `${'x'.repeat(3 << 20)} atlas:sum ignore \nSELECT 1;\n`, // trailing space: not 'ignore'
        `${' '.repeat(3 << 20)}atlas:sum ignore\r\nSELECT 1;\n`, // CR stays in the argument: not 'ignore'
      ]
      for (const line of lines) {
        const dir = makeDir({ '1_a.sql': line, '2_b.sql': 'B' })
        expect(await computed(dir), line.slice(-30)).toBe(independentSum(dir))
      }
    })
  })

  it('hashes raw bytes: BOM and CRLF are not normalised', async () => {
    const lf = makeDir({ '1_a.sql': 'SELECT 1;\nSELECT 2;\n' })
    const crlf = makeDir({ '1_a.sql': 'SELECT 1;\r\nSELECT 2;\r\n' })
    const bom = makeDir({ '1_a.sql': '\uFEFFSELECT 1;\nSELECT 2;\n' })
    const sums = await Promise.all([lf, crlf, bom].map(computed))
    expect(new Set(sums).size).toBe(3)
    expect(sums).toEqual([lf, crlf, bom].map((dir) => independentSum(dir)))
  })

  it('large files stream through the buffer (several chunks) with the same result', async () => {
    const big = Buffer.alloc(5 * (1 << 20) + 17, 'INSERT INTO t VALUES (1);\n')
    const dir = makeDir({ '1_big.sql': big, '2_small.sql': 'x' })
    expect(await computed(dir)).toBe(independentSum(dir))
  })
})
