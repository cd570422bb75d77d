import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateDirectory, type Validation } from '../src/core/check/validate.js'
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

  it('a down without an up: migrate up records the version without running anything; an up without a down: a notice', async () => {
    const { '2_orders.down.sql': _down, '10_index.up.sql': _up, ...rest } = files
    const validation = await validateDirectory(hashed('golang-migrate', rest), { format: 'golang-migrate' })
    expect(validation.valid).toBe(true)
    expect(problems(validation)).toEqual([
      [
        '10_index.down.sql',
        "no up migration for version 10: 'migrate up' records version 10 without running anything",
        undefined,
        'warning',
      ],
      [
        '2_orders.up.sql',
        "no down migration for version 2: 'migrate down' marks it reverted without running anything",
        undefined,
        'notice',
      ],
    ])
  })

  it('duplicates per version and direction (01 is 1, any extension) fail; other names are ignored', async () => {
    const validation = await validateDirectory(
      hashed('golang-migrate', {
        '1_a.up.sql': 'A',
        '1_a.down.sql': 'a',
        '01_b.up.sql': 'B',
        '2_c.up.sql': 'C',
        '2_c.up.txt': 'C',
        '2_c.down.sql': 'c',
        'x_c.up.sql': 'X',
        'readme.sql': '',
      }),
      { format: 'golang-migrate' },
    )
    expect(problems(validation)).toEqual([
      [
        'x_c.up.sql',
        'golang-migrate ignores this file: its name does not match <version>_<title>.up.<ext> or .down.<ext>',
        undefined,
        'notice',
      ],
      [
        '1_a.up.sql',
        'golang-migrate fails: duplicate migration file (01_b.up.sql is also the up migration of version 1)',
        undefined,
        'error',
      ],
      [
        '2_c.up.txt',
        'golang-migrate fails: duplicate migration file (2_c.up.sql is also the up migration of version 2)',
        undefined,
        'error',
      ],
      [
        'readme.sql',
        'golang-migrate ignores this file: its name does not match <version>_<title>.up.<ext> or .down.<ext>',
        undefined,
        'notice',
      ],
    ])
  })

  it('ships the files golang-migrate runs that atlas.sum does not cover (other extensions)', async () => {
    const validation = await validateDirectory(
      hashed('golang-migrate', { '1_a.up.sql': 'A', '1_a.down.sql': 'a', '2_b.up.txt': 'B', 'notes.md': '' }),
      { format: 'golang-migrate' },
    )
    expect(validation.shipped.sort()).toEqual(['1_a.down.sql', '2_b.up.txt'])
  })
})

describe('flyway', () => {
  it("Atlas's flyway order: walk order, string comparisons while adding, then sort.Slice by numeric parts", async () => {
    const dir = hashed('flyway', {
      'V1__a.sql': '1',
      'V1.1__b.sql': '1.1',
      'B2__base.sql': 'b2',
      'B1__old_base.sql': 'b1',
      'V2__c.sql': '2',
      'V2.5__d.sql': '2.5',
      'sub/V10__e.sql': '10',
      'V9__f.sql': '9',
      'U9__undo_f.sql': 'u9',
      'R__views.sql': 'r',
      'R__a_first.sql': 'ra',
      '.hidden/V11__x.sql': 'hidden dirs are skipped',
    })
    const validation = await validateDirectory(dir, { format: 'flyway' })
    // Atlas compares versions as strings while it adds files (sql/sqltool/tool.go:516): "2" < "10" is false, so
    // sub/V10__e.sql is not hashed (Flyway itself runs it; it is shipped beside the hashed files).
    expect(validation.entries.map(({ name }) => name)).toEqual([
      'B2__base.sql',
      'V2.5__d.sql',
      'V9__f.sql',
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
      'sub/V10__e.sql',
    ])
  })

  it("Flyway's own reading: V1.sql, .SQL, callbacks run; 1.0 is 1; repeatables collide by description; bad names are skipped", async () => {
    const dir = makeDir({
      'V1.sql': 'a',
      'V1.0__same.sql': 'b',
      'V1.1__b.sql': 'b',
      'sub/V1_1__c.sql': 'c',
      'V3__upper.SQL': 'u',
      'R__views.sql': 'r',
      'sub/R__views.sql': 'r2',
      'afterMigrate.sql': 'cb',
      'V2_add_x.sql': 'x',
      'X3__y.sql': 'y',
      'U4__z.sql': 'z',
    })
    const validation = await validateDirectory(dir, { format: 'flyway', checksum: 'optional' })
    expect(validation.valid).toBe(false)
    expect(problems(validation)).toEqual([
      [
        'V2_add_x.sql',
        "Flyway skips this file: '2_add_x' is not a version (digits and dots only)",
        undefined,
        'notice',
      ],
      ['V1.sql', 'Flyway fails: more than one migration with version 1 (V1.0__same.sql)', undefined, 'error'],
      [
        'X3__y.sql',
        'Flyway skips this file: its name starts with none of V, R, B or a callback event such as afterMigrate',
        undefined,
        'notice',
      ],
      [
        'sub/R__views.sql',
        "Flyway fails: more than one repeatable migration with description 'views' (R__views.sql)",
        undefined,
        'error',
      ],
      ['sub/V1_1__c.sql', 'Flyway fails: more than one migration with version 1_1 (V1.1__b.sql)', undefined, 'error'],
      [
        'atlas.sum',
        'no atlas.sum: the migrations are not protected against edits after they are applied',
        undefined,
        'notice',
      ],
    ])
  })

  it('ships what Flyway runs beside the hashed files: callbacks, .SQL files, undo files', async () => {
    const dir = hashed('flyway', {
      'V1__a.sql': 'a',
      'V2__upper.SQL': 'b',
      'afterMigrate.sql': 'cb',
      'sub/beforeEachMigrate__log.sql': 'cb2',
      'U1__a.sql': 'u',
      'README.md': '',
    })
    const validation = await validateDirectory(dir, { format: 'flyway' })
    expect(validation.entries.map(({ name }) => name)).toEqual(['V1__a.sql'])
    expect(validation.shipped.sort()).toEqual([
      'U1__a.sql',
      'V2__upper.SQL',
      'afterMigrate.sql',
      'sub/beforeEachMigrate__log.sql',
    ])
    expect(problems(validation)).toEqual([
      ['README.md', 'Flyway skips this file: it does not end in .sql', undefined, 'notice'],
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
      [
        '2_no_up.sql',
        "goose up fails: SQL before '-- +goose Up': a goose file must start with '-- +goose Up'",
        1,
        'error',
      ],
      [
        '3_unclosed.sql',
        "goose up fails: '-- +goose StatementBegin' is never closed by '-- +goose StatementEnd'",
        2,
        'error',
      ],
      ['4_stray_end.sql', "goose up fails: '-- +goose StatementEnd' without a '-- +goose StatementBegin'", 3, 'error'],
      [
        '5_nested.sql',
        "goose up fails: '-- +goose StatementBegin' must come after '-- +goose Up' or '-- +goose Down' (and not inside another block)",
        4,
        'error',
      ],
    ])
  })

  it('orders versions numerically, hashes whole files in byte order', async () => {
    const dir = hashed('goose', { '9_a.sql': '-- +goose Up\nA;', '10_b.sql': '-- +goose Up\nB;' })
    const validation = await validateDirectory(dir, { format: 'goose' })
    expect(validation.entries.map(({ name }) => name)).toEqual(['10_b.sql', '9_a.sql'])
    expect(validation.migrations.map(({ name }) => name)).toEqual(['9_a.sql', '10_b.sql'])
  })
})

describe('dbmate', () => {
  it('requires -- migrate:up first and -- migrate:down (dbmate 2.x); names need only start with digits', async () => {
    const dir = hashed('dbmate', {
      '1_ok.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n',
      '2_up_only.sql': '-- comment\n\n-- migrate:up\nSELECT 1;\n',
      '3_none.sql': 'SELECT 1;\n',
      '4_reversed.sql': '-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 1;\n',
      '5.sql': '-- migrate:up\n-- migrate:down\n',
      'seed.sql': 'not a migration',
    })
    expect(problems(await validateDirectory(dir, { format: 'dbmate' }))).toEqual([
      ['seed.sql', 'dbmate ignores this file: its name does not start with a version (digits)', undefined, 'notice'],
      [
        '2_up_only.sql',
        "dbmate up fails: dbmate requires each migration to define a down block with '-- migrate:down'",
        3,
        'error',
      ],
      [
        '3_none.sql',
        "dbmate up fails: dbmate requires each migration to define an up block with '-- migrate:up'",
        1,
        'error',
      ],
      [
        '4_reversed.sql',
        "dbmate up fails: dbmate does not support statements preceding the '-- migrate:up' block",
        2,
        'error',
      ],
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
      fix: `run 'migration-image hash ${dir} --tool golang-migrate' and commit atlas.sum`,
    })
    expect((await validateDirectory(dir, { format: 'golang-migrate', checksum: 'required' })).valid).toBe(false)
  })
})
