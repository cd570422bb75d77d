import path from 'node:path'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { liquibaseFormat } from '../src/core/check/formats/liquibase.js'
import type { RuleInput } from '../src/core/check/formats/format.js'
import { makeDir, runCli } from './helpers/tmp.js'

// The changelog tree is built once per run, every changelog read through the run's bounded reader (so
// max-file-size applies to it) and parsed once; its problems and its shipped files come from that one reading.

const NS = 'http://www.liquibase.org/xml/ns/dbchangelog'
const xml = (body: string): string =>
  `<?xml version="1.0"?>\n<databaseChangeLog xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} ${NS}/dbchangelog-latest.xsd">\n${body}</databaseChangeLog>\n`

describe('max-file-size covers Liquibase changelogs (through dist/cli.js)', () => {
  // 2 MB of YAML comments around one changeset: a valid changelog, only large.
  const big = `databaseChangeLog:\n${'# padding padding padding padding padding padding padding padding padding\n'.repeat(28_000)}  - changeSet:\n      id: 1\n      author: dev\n      changes:\n        - sql:\n            sql: select 1\n`
  const dir = makeDir({ 'changelog.yaml': big })

  it('is about 2 MB', () => {
    expect(Buffer.byteLength(big)).toBeGreaterThan(2_000_000)
    expect(Buffer.byteLength(big)).toBeLessThan(2_200_000)
  })

  it('--max-file-size 1MB: an error naming the changelog and the limit', () => {
    const ran = runCli(['validate', dir, '--tool', 'liquibase', '--max-file-size', '1MB'])
    expect(ran.status, ran.stdout + ran.stderr).toBe(1)
    expect(ran.stdout + ran.stderr).toContain(
      `error: ${path.join(dir, 'changelog.yaml')}: is larger than the per-file limit of 1 MB`,
    )
    expect(ran.stdout + ran.stderr).toContain('--max-file-size')
  })

  it('--max-file-size 4MB: accepted', () => {
    const ran = runCli(['validate', dir, '--tool', 'liquibase', '--max-file-size', '4MB'])
    expect(ran.status, ran.stdout + ran.stderr).toBe(0)
  })
})

describe('the changelog tree: each changelog read and parsed once per run', () => {
  it('reads every file of the tree once, and ships what it read', async () => {
    const dir = makeDir({
      'changelog.xml': xml(
        '  <include file="a.yaml"/>\n  <include file="b.xml"/>\n  <includeAll path="changes/"/>\n  <changeSet id="1" author="dev">\n    <sqlFile path="sql/x.sql"/>\n  </changeSet>\n',
      ),
      'a.yaml':
        'databaseChangeLog:\n  - changeSet:\n      id: a\n      author: dev\n      changes:\n        - sql:\n            sql: select 1\n',
      'b.xml': xml('  <changeSet id="b" author="dev"><sql>select 2</sql></changeSet>\n'),
      'changes/001.sql': '--liquibase formatted sql\n--changeset dev:c1\nselect 3;\n',
      'changes/002.sql': 'select 4;\n',
      'sql/x.sql': 'select 5;\n',
    })
    const reads: string[] = []
    const names = ['changelog.xml', 'a.yaml', 'b.xml', 'changes/001.sql', 'changes/002.sql', 'sql/x.sql']
    const input: RuleInput = {
      dir,
      options: {},
      names,
      directories: [],
      migrations: [],
      read: (name) => {
        reads.push(name)
        return readFileSync(path.join(dir, name), 'utf8')
      },
      problem: (code, file, message, fix, line, severity = 'error') => ({ code, severity, file, line, message, fix }),
    }
    expect(liquibaseFormat.rules, 'no second reading through rules').toBeUndefined()
    expect(liquibaseFormat.shipped, 'no second reading through shipped').toBeUndefined()
    const tree = await liquibaseFormat.tree!(input)
    expect(tree.problems).toEqual([])
    expect(reads.sort()).toEqual(['a.yaml', 'b.xml', 'changelog.xml', 'changes/001.sql', 'changes/002.sql'])
    expect(tree.shipped).toEqual([
      'changelog.xml',
      'a.yaml',
      'b.xml',
      'changes/001.sql',
      'changes/002.sql',
      'sql/x.sql',
    ])
  })
})

describe("Spring Boot's layout gets a hint (through dist/cli.js)", () => {
  it('an include written from the classpath root, read with dir at the changelog folder, says to point dir at the root', () => {
    const dir = makeDir({
      'db.changelog-master.yaml': 'databaseChangeLog:\n  - include:\n      file: db/changelog/changes/001-init.sql\n',
      'changes/001-init.sql': '--liquibase formatted sql\n--changeset dev:1\nselect 1;\n',
    })
    const ran = runCli(['validate', dir, '--tool', 'liquibase', '--json'])
    expect(ran.status).toBe(1)
    const json = JSON.parse(ran.stdout) as { errors: { code: string; fix?: string }[] }
    expect(json.errors).toEqual([
      expect.objectContaining({
        code: 'liquibase/include-missing',
        fix: expect.stringContaining('point dir at that root (src/main/resources)') as string,
      }),
    ])
  })
})
