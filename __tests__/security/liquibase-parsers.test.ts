import { spawnSync } from 'node:child_process'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeDir, ROOT } from '../helpers/tmp.js'

// Property-based, through the bundled CLI as a user runs it: every Liquibase changelog parser (XML, YAML, JSON,
// formatted SQL) is fed random and adversarial bytes (floods kept under the limits here, so that the property stays
// fast: the known bombs beyond them are the last test). Whatever a file holds, the run ends within its time, with exit
// 0 or 1, JSON on stdout, no stack trace, and each problem a one-line message on a file of the directory.

const NS = 'http://www.liquibase.org/xml/ns/dbchangelog'
const XML_HEAD = `<?xml version="1.0"?>\n<databaseChangeLog xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} ${NS}/dbchangelog-latest.xsd">\n`

/** Shapes that have broken parsers: bombs, deep nesting, floods, very long lines. */
const adversarial: Record<'xml' | 'yaml' | 'json' | 'sql', fc.Arbitrary<string>[]> = {
  xml: [
    fc
      .integer({ min: 1, max: 20_000 })
      .map((depth) => `${XML_HEAD}${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}\n</databaseChangeLog>\n`),
    fc.integer({ min: 2, max: 10 }).map((width) => {
      const entities = Array.from(
        { length: 9 },
        (_, level) => `<!ENTITY e${level + 1} "${`&e${level};`.repeat(width)}">`,
      ).join('')
      return `<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e0 "x">${entities}]>\n${XML_HEAD.split('\n')[1]}\n<changeSet id="&e9;" author="a"/></databaseChangeLog>\n`
    }),
    fc
      .integer({ min: 1, max: 20_000 })
      .map((count) => `${XML_HEAD}${'<x:a xmlns:x="urn:x"/>'.repeat(count)}</databaseChangeLog>\n`),
    fc.constant(`${XML_HEAD}<changeSet id="1" author="a" runAlways="${'x'.repeat(300_000)}"/></databaseChangeLog>\n`),
  ],
  yaml: [
    fc.integer({ min: 2, max: 12 }).map((levels) => {
      const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x]']
      for (let level = 1; level <= levels; level++)
        lines.push(
          `l${level}: &l${level} [${Array(9)
            .fill(`*l${level - 1}`)
            .join(', ')}]`,
        )
      return `${lines.join('\n')}\ndatabaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      x: *l${levels}\n`
    }),
    fc.integer({ min: 1, max: 20_000 }).map((depth) => `databaseChangeLog: ${'['.repeat(depth)}${']'.repeat(depth)}\n`),
    fc.integer({ min: 1, max: 120 }).map((depth) => {
      let text = 'databaseChangeLog:\n'
      for (let level = 0; level < depth; level++) text += `${'  '.repeat(level + 1)}- k${level}:\n`
      return text
    }),
    fc.integer({ min: 1, max: 20_000 }).map((count) => `databaseChangeLog: [${'{}, '.repeat(count)}]\n`),
  ],
  json: [
    fc
      .integer({ min: 1, max: 20_000 })
      .map((depth) => `{"databaseChangeLog": ${'['.repeat(depth)}${']'.repeat(depth)}}`),
    fc.integer({ min: 1, max: 20_000 }).map((count) => `{"databaseChangeLog": [${'{},'.repeat(count)}{}]}`),
  ],
  sql: [
    fc
      .tuple(
        fc.constantFrom(
          '--property a:b',
          '--changeset ',
          '-- changeset a:',
          '--rollback ',
          '/* liquibase rollback',
          '-',
        ),
        fc.constantFrom(' ', 'a', ':', 'a:', '-', '*/ '),
        fc.integer({ min: 1, max: 60_000 }),
      )
      .map(
        ([start, unit, count]) =>
          `--liquibase formatted sql\n--changeset a:1\nselect 1;\n${start}${unit.repeat(count)}x\n`,
      ),
  ],
}

/** Random text near each syntax: its own punctuation and keywords, and any bytes. */
const tokens = {
  xml: ['<', '>', '/', '="', '"', '<changeSet', '<include file="', '<!DOCTYPE', '<!ENTITY', '&', ';', '<![CDATA[', ' '],
  yaml: ['databaseChangeLog:', '\n', '- ', ': ', '&a', '*a', '[', ']', '{', '}', '!!', '|', '>', '"', "'", ' '],
  json: ['{', '}', '[', ']', '"', ':', ',', 'databaseChangeLog', 'null', '1e999', '\\u', ' '],
  sql: ['--liquibase formatted sql', '\n', '--changeset ', 'a:1', '--rollback ', '/*', '*/', '--property ', ':', ' '],
}
const random = (kind: keyof typeof tokens): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc.array(fc.constantFrom(...tokens[kind]), { maxLength: 200 }).map((parts) => parts.join('')),
  )

const EXTENSION = { xml: 'xml', yaml: 'yaml', json: 'json', sql: 'sql' } as const
type Kind = keyof typeof EXTENSION
const file = (kind: Kind): fc.Arbitrary<{ kind: Kind; text: string }> =>
  fc.oneof(random(kind), ...adversarial[kind]).map((text) => ({ kind, text }))

interface Found {
  readonly file: string
  readonly message: string
}

/** A master that includes every file of changes/ (each file its own parser), validated through dist/cli.js. */
function validate(files: readonly { kind: Kind; text: string }[]) {
  const dir = makeDir({
    'changelog.yaml': 'databaseChangeLog:\n  - includeAll:\n      path: changes/\n',
    ...Object.fromEntries(
      files.map(({ kind, text }, index) => [`changes/${String(index).padStart(2, '0')}.${EXTENSION[kind]}`, text]),
    ),
  })
  const started = Date.now()
  const ran = spawnSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'cli.js'), 'validate', dir, '--tool', 'liquibase', '--json'],
    {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  )
  return { dir, ran, seconds: (Date.now() - started) / 1000 }
}

function assertOneLineErrors(files: readonly { kind: Kind; text: string }[]): void {
  const { dir, ran, seconds } = validate(files)
  expect(ran.error, 'the run ended in time').toBeUndefined()
  expect([0, 1], ran.stderr).toContain(ran.status)
  expect(ran.stderr).not.toMatch(/\n\s+at |Error:|RangeError|ReferenceError/)
  const json = JSON.parse(ran.stdout) as Record<'errors' | 'warnings' | 'notices', Found[]>
  for (const problem of [...json.errors, ...json.warnings, ...json.notices]) {
    expect(problem.message).not.toContain('\n')
    expect(problem.message.length).toBeLessThan(2000)
    expect(path.relative(dir, problem.file).startsWith('..')).toBe(false)
  }
  expect(seconds).toBeLessThan(30)
}

describe('Liquibase parsers under attack: a one-line error on the file, never a stack, never a hang', () => {
  for (const kind of Object.keys(EXTENSION) as Kind[]) {
    it(`${kind} changelogs`, () => {
      fc.assert(
        fc.property(fc.array(file(kind), { minLength: 1, maxLength: 4 }), (files) => assertOneLineErrors(files)),
        { numRuns: 4 },
      )
    }, 600_000)
  }

  it('values from the file are quoted shortened: a long changeset id, include path or tag leaves a short message', () => {
    // Found by the sql property: an id of 2,000 colons made a 2,098-character warning. Every case through dist/.
    const long = ':'.repeat(5000)
    const files = [
      { kind: 'sql' as const, text: `--liquibase formatted sql\n--changeset a:1\nselect 1;\n--changeset a:${long}x\n` },
      {
        kind: 'xml' as const,
        text: `${XML_HEAD}<changeSet id="${'i'.repeat(5000)}" author="a"><sql>select 1</sql></changeSet><changeSet id="${'i'.repeat(5000)}" author="a"><sql>select 1</sql></changeSet></databaseChangeLog>\n`,
      },
      { kind: 'xml' as const, text: `${XML_HEAD}<include file="${'p/'.repeat(3000)}x.sql"/></databaseChangeLog>\n` },
      { kind: 'xml' as const, text: `${XML_HEAD}<${'t'.repeat(5000)}></databaseChangeLog>\n` },
      { kind: 'yaml' as const, text: `databaseChangeLog:\n  - include:\n      file: ${'y'.repeat(5000)}.sql\n` },
      { kind: 'sql' as const, text: `--liquibase formatted sql\n--changeset a:1\n--ignoreLines:${'x'.repeat(5000)}\n` },
      {
        kind: 'sql' as const,
        text: `--liquibase formatted sql\n--changeset a:1\n--precondition-${'y'.repeat(5000)}\n`,
      },
    ]
    const { ran } = validate(files)
    const json = JSON.parse(ran.stdout) as Record<'errors' | 'warnings' | 'notices', Found[]>
    const found = [...json.errors, ...json.warnings]
    files.forEach((_, index) => {
      const name = `changes/${String(index).padStart(2, '0')}`
      const mine = found.filter(({ file }) => file.includes(name))
      expect(
        mine.length,
        `${name}: ${JSON.stringify(found.map(({ message }) => message.slice(0, 120)))}`,
      ).toBeGreaterThan(0)
      for (const { message } of mine) expect(message.length, message.slice(0, 300)).toBeLessThan(700)
    })
    expect(found.some(({ message }) => /a:::+…\(5001 characters\)…:+x has no SQL of its own/.test(message))).toBe(true)
  })

  it('the known bombs each end in their own error', () => {
    const bombs = [
      { kind: 'yaml' as const, text: fc.sample(adversarial.yaml[0], { numRuns: 1, seed: 1 })[0], want: /alias bomb/ },
      {
        kind: 'yaml' as const,
        text: `databaseChangeLog: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
        want: /deeper than 50/,
      },
      {
        kind: 'json' as const,
        text: `{"databaseChangeLog": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
        want: /deeper than 50/,
      },
      {
        kind: 'sql' as const,
        text: `--liquibase formatted sql\n--changeset a:1\nselect 1;\n--property a:b${' '.repeat(9000)}x\n`,
        want: /malformed --property/,
      },
      {
        kind: 'sql' as const,
        text: `--liquibase formatted sql\n--changeset a:1\n-- ${' '.repeat(20_000)}x\n`,
        want: /longer than this check reads \(10000\)/,
      },
      {
        kind: 'xml' as const,
        text: `${XML_HEAD}${'<x:a xmlns:x="urn:x"/>'.repeat(200_001)}</databaseChangeLog>\n`,
        want: /more than 200000 elements/,
      },
    ]
    const { ran } = validate(bombs)
    const json = JSON.parse(ran.stdout) as { errors: Found[] }
    bombs.forEach(({ want }, index) => {
      const name = `changes/${String(index).padStart(2, '0')}`
      expect(
        json.errors.some(({ file, message }) => file.includes(name) && want.test(message)),
        `${name}: ${JSON.stringify(json.errors.map(({ message }) => message))}`,
      ).toBe(true)
    })
  }, 120_000)
})
