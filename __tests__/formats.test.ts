import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateDirectory, type Validation } from '../src/core/validate.js'
import { independentSum, makeDir, ROOT } from './helpers/tmp.js'

/** A directory with atlas.sum written by the independent implementation for that format. */
function hashed(format: string, files: Record<string, string>): string {
  const dir = makeDir(files)
  writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir, format))
  return dir
}

const problems = (validation: Validation): [string, string, number | undefined, string][] =>
  validation.problems.map(({ file, message, line, severity }) => [
    path.relative(validation.dir, file),
    message,
    line,
    severity,
  ])

const examples: [string, string][] = [
  ['atlas', 'examples/atlas/migrations'],
  ['golang-migrate', 'examples/golang-migrate/migrations'],
  ['flyway', 'examples/flyway/migrations'],
  ['goose', 'examples/goose/migrations'],
  ['dbmate', 'examples/dbmate/db/migrations'],
  ['liquibase', 'examples/liquibase/changelog'],
  ['psql', 'examples/psql/migrations'],
]

describe('every example is valid, and its committed atlas.sum is what the independent implementation computes', () => {
  it.each(examples)('%s', async (format, dir) => {
    const validation = await validateDirectory(path.join(ROOT, dir), { format })
    expect(validation.problems).toEqual([])
    expect(validation.sumFile).toBe(independentSum(path.join(ROOT, dir), format))
  })
})

describe('golang-migrate', () => {
  const files = {
    '1_users.up.sql': 'CREATE TABLE users (id int);',
    '1_users.down.sql': 'DROP TABLE users;',
    '2_orders.up.sql': 'CREATE TABLE orders (id int);',
    '2_orders.down.sql': 'DROP TABLE orders;',
    '10_index.up.sql': 'CREATE INDEX i ON orders (id);',
    '10_index.down.sql': 'DROP INDEX i;',
  }

  it('hashes only *.up.sql in byte order, orders versions numerically, ships the down files', async () => {
    const validation = await validateDirectory(hashed('golang-migrate', files), { format: 'golang-migrate' })
    expect(validation.entries.map(({ name }) => name)).toEqual(['10_index.up.sql', '1_users.up.sql', '2_orders.up.sql'])
    expect(validation.migrations.map(({ version }) => version)).toEqual(['1', '2', '10'])
    expect(validation.latestVersion).toBe('10')
    expect(validation.shipped.sort()).toEqual(['10_index.down.sql', '1_users.down.sql', '2_orders.down.sql'])
  })

  it('an up without a down is a warning; a down without an up is an error', async () => {
    const { '2_orders.down.sql': _down, '10_index.up.sql': _up, ...rest } = files
    const validation = await validateDirectory(hashed('golang-migrate', rest), { format: 'golang-migrate' })
    expect(problems(validation)).toEqual([
      ['10_index.down.sql', 'down migration without an up migration (version 10)', undefined, 'error'],
      ['2_orders.up.sql', 'no down migration for version 2', undefined, 'warning'],
    ])
  })

  it('duplicate versions (numerically equal), bad names', async () => {
    const validation = await validateDirectory(
      hashed('golang-migrate', {
        '1_a.up.sql': 'A',
        '1_a.down.sql': 'a',
        '01_b.up.sql': 'B',
        '01_b.down.sql': 'b',
        'x_c.up.sql': 'C',
        'readme.sql': '',
      }),
      { format: 'golang-migrate' },
    )
    expect(problems(validation)).toEqual([
      ['1_a.up.sql', 'version 1 is also used by 01_b.up.sql', undefined, 'error'],
      ['x_c.up.sql', 'file name does not match <version>_<title>.up.sql', undefined, 'error'],
      ['1_a.down.sql', 'down version 1 is also used by 01_b.down.sql', undefined, 'error'],
      ['readme.sql', 'file name does not match <version>_<title>.up.sql or .down.sql', undefined, 'error'],
      ['x_c.up.sql', 'file name does not match <version>_<title>.up.sql or .down.sql', undefined, 'error'],
    ])
  })
})

describe('flyway', () => {
  it('latest baseline first, then higher V files by numeric parts (slash paths), then R; no U files', async () => {
    const dir = hashed('flyway', {
      'V1__a.sql': '1',
      'V1.1__b.sql': '1.1',
      'B2__base.sql': 'b2',
      'B1__old_base.sql': 'b1',
      'V2__c.sql': '2',
      'V2.0__d.sql': '2.0',
      'sub/V10__e.sql': '10',
      'V9__f.sql': '9',
      'U9__undo_f.sql': 'u9',
      'R__views.sql': 'r',
      'R__a_first.sql': 'ra',
      '.hidden/V11__x.sql': 'hidden dirs are skipped',
    })
    const validation = await validateDirectory(dir, { format: 'flyway' })
    expect(validation.entries.map(({ name }) => name)).toEqual([
      'B2__base.sql',
      'V2.0__d.sql',
      'V9__f.sql',
      'sub/V10__e.sql',
      'R__a_first.sql',
      'R__views.sql',
    ])
    expect(validation.sumFile).toBe(independentSum(dir, 'flyway'))
    // Flyway reads every .sql file: the ones Atlas's order leaves out (below the baseline, duplicates, undo) ship too.
    expect(validation.shipped.sort()).toEqual([
      'B1__old_base.sql',
      'U9__undo_f.sql',
      'V1.1__b.sql',
      'V1__a.sql',
      'V2__c.sql',
    ])
  })

  it('V1.1 and V1_1 are one version; single underscores and unknown prefixes are errors', async () => {
    const dir = makeDir({
      'V1__a.sql': 'a',
      'V1.1__b.sql': 'b',
      'V1_1__c.sql': 'c',
      'V2_add_x.sql': 'x',
      'X3__y.sql': 'y',
      'U4_z.sql': 'z',
    })
    const validation = await validateDirectory(dir, { format: 'flyway', checksum: 'optional' })
    expect(problems(validation).filter(([, , , severity]) => severity !== 'notice')).toEqual([
      ['V1_1__c.sql', 'version 1_1 is also used by V1.1__b.sql', undefined, 'error'],
      ['V2_add_x.sql', 'file name does not match V<version>__<description>.sql', undefined, 'error'],
      [
        'U4_z.sql',
        'file name does not match V<version>__<description>.sql (two underscores after the version)',
        undefined,
        'error',
      ],
      ['X3__y.sql', "'X' is not a Flyway prefix (V, U, B or R): Flyway will not run this file", undefined, 'error'],
    ])
  })
})

describe('goose', () => {
  it('requires -- +goose Up and balanced StatementBegin/End, with lines', async () => {
    const dir = hashed('goose', {
      '1_ok.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n',
      '2_no_up.sql': 'CREATE TABLE t (id int);\n',
      '3_unclosed.sql': '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() ...\n',
      '4_stray_end.sql': '-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n',
      '5_nested.sql':
        '-- +goose Up\n-- +goose StatementBegin\nx\n-- +goose StatementBegin\ny\n-- +goose StatementEnd\n',
    })
    const validation = await validateDirectory(dir, { format: 'goose' })
    expect(problems(validation)).toEqual([
      ['2_no_up.sql', 'no -- +goose Up annotation: goose would not run anything', 1, 'error'],
      ['3_unclosed.sql', '-- +goose StatementBegin is never closed', 2, 'error'],
      ['4_stray_end.sql', '-- +goose StatementEnd without a StatementBegin', 3, 'error'],
      ['5_nested.sql', '-- +goose StatementBegin inside the block opened on line 2', 4, 'error'],
    ])
  })

  it('orders versions numerically, hashes whole files in byte order', async () => {
    const dir = hashed('goose', { '9_a.sql': '-- +goose Up\nA', '10_b.sql': '-- +goose Up\nB' })
    const validation = await validateDirectory(dir, { format: 'goose' })
    expect(validation.entries.map(({ name }) => name)).toEqual(['10_b.sql', '9_a.sql'])
    expect(validation.migrations.map(({ name }) => name)).toEqual(['9_a.sql', '10_b.sql'])
  })
})

describe('dbmate', () => {
  it('requires -- migrate:up; down must come after it', async () => {
    const dir = hashed('dbmate', {
      '1_ok.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n',
      '2_up_only.sql': '-- migrate:up\nSELECT 1;\n',
      '3_none.sql': 'SELECT 1;\n',
      '4_reversed.sql': '-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 1;\n',
    })
    expect(problems(await validateDirectory(dir, { format: 'dbmate' }))).toEqual([
      ['3_none.sql', 'no -- migrate:up section: dbmate would not run anything', 1, 'error'],
      ['4_reversed.sql', '-- migrate:down comes before -- migrate:up', 1, 'error'],
    ])
  })
})

describe('liquibase', () => {
  // Liquibase validates XML changelogs against its XSD: the root names the namespace and the schema location.
  const root =
    '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">'
  it('finds the master changelog and ships its include tree (XML, YAML)', async () => {
    const dir = hashed('liquibase', {
      'changelog.yaml':
        'databaseChangeLog:\n  - include:\n      file: 001_users.sql\n      relativeToChangelogFile: true\n  - include:\n      file: more/changes.xml\n',
      '001_users.sql': '--liquibase formatted sql\n--changeset a:1\nCREATE TABLE users (id int);\n',
      'more/changes.xml': `${root}<include file="002.sql" relativeToChangelogFile="true"/><includeAll path="all/"/></databaseChangeLog>`,
      'more/002.sql': '--liquibase formatted sql\n',
      'all/003.sql': '--liquibase formatted sql\n',
      'unrelated.txt': 'not shipped',
    })
    const validation = await validateDirectory(dir, { format: 'liquibase' })
    expect(validation.problems).toEqual([])
    expect(validation.shipped).toEqual([
      'changelog.yaml',
      '001_users.sql',
      'more/changes.xml',
      'more/002.sql',
      'all/003.sql',
    ])
  })

  it('a missing master, a missing include and an escaping include are errors on the changelog', async () => {
    expect(problems(await validateDirectory(hashed('liquibase', { '1.sql': 'x' }), { format: 'liquibase' }))).toEqual([
      ['', 'no master changelog (changelog.xml, .yaml, .yml, .json or .sql)', undefined, 'error'],
    ])
    const dir = hashed('liquibase', {
      'changelog.xml': `${root}\n<include file="missing.sql"/>\n<include file="../../etc/passwd" relativeToChangelogFile="true"/>\n</databaseChangeLog>`,
    })
    expect(problems(await validateDirectory(dir, { format: 'liquibase' }))).toEqual([
      ['changelog.xml', "includes 'missing.sql', which does not exist in the directory", 2, 'error'],
      [
        'changelog.xml',
        "includes '../../etc/passwd', outside the migrations directory: it would be missing from the image",
        3,
        'error',
      ],
    ])
  })

  it('the changelog input names a master with another name', async () => {
    const dir = hashed('liquibase', { 'main.xml': `${root}</databaseChangeLog>` })
    expect((await validateDirectory(dir, { format: 'liquibase', changelog: 'main.xml' })).shipped).toEqual(['main.xml'])
    expect(problems(await validateDirectory(dir, { format: 'liquibase', changelog: 'other.xml' }))[0][1]).toBe(
      "the changelog 'other.xml' is not in the directory",
    )
  })
})

describe('checksum policy', () => {
  it('optional (default for tools other than atlas): a missing atlas.sum is a notice that says how to add one', async () => {
    const dir = makeDir({ '1_a.up.sql': 'A', '1_a.down.sql': 'a' })
    const validation = await validateDirectory(dir, { format: 'golang-migrate' })
    expect(validation.valid).toBe(true)
    expect(validation.problems[0]).toMatchObject({
      severity: 'notice',
      fix: `run 'migration-image hash ${dir} --format golang-migrate' and commit atlas.sum`,
    })
    expect((await validateDirectory(dir, { format: 'golang-migrate', checksum: 'required' })).valid).toBe(false)
  })
})
