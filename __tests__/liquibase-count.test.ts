import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runAction } from './helpers/runner.js'
import { makeDir, runCli } from './helpers/tmp.js'

// Liquibase's common layout (issue 17, item 7): a master changelog including files under changes/. Liquibase counts
// changesets, not files; the reports, the count output and the image's label say so. Through dist/.
const XSD =
  'http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd'
const xml = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${XSD}">\n${body}</databaseChangeLog>\n`
const FILES = {
  'changelog.xml': xml(
    '  <include file="changes/001-users.xml" relativeToChangelogFile="true"/>\n  <include file="changes/002-orders.sql" relativeToChangelogFile="true"/>\n',
  ),
  'changes/001-users.xml': xml(
    '  <changeSet id="1" author="ann">\n    <sql>CREATE TABLE users (id int)</sql>\n  </changeSet>\n  <changeSet id="2" author="ann">\n    <sql>ALTER TABLE users ADD COLUMN email text</sql>\n  </changeSet>\n  <changeSet id="3" author="ann" dbms="postgresql">\n    <sql>CREATE INDEX users_email ON users (email)</sql>\n  </changeSet>\n',
  ),
  'changes/002-orders.sql': '--liquibase formatted sql\n\n--changeset bob:1\nCREATE TABLE orders (id int);\n',
}

function repo(): { root: string; dir: string } {
  const root = makeDir(Object.fromEntries(Object.entries(FILES).map(([name, text]) => [`db/${name}`, text])))
  const dir = path.join(root, 'db')
  expect(runCli(['hash', dir, '--tool', 'liquibase']).status).toBe(0)
  return { root, dir }
}

describe('Liquibase: the count is its changesets', () => {
  it('CLI: 4 changesets (a dbms-filtered one included), in the verdict and the JSON', () => {
    const { dir } = repo()
    const ran = runCli(['validate', dir, '--tool', 'liquibase'])
    expect(ran.status, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout).toContain(`${dir}: 4 changesets valid`)
    // No top-level .sql file for atlas.sum, but changesets: no "holds no migrations" beside the count.
    expect(ran.stderr).not.toContain('holds no migrations')
    const json = JSON.parse(runCli(['validate', dir, '--tool', 'liquibase', '--json']).stdout) as Record<
      string,
      unknown
    >
    expect(json).toMatchObject({ valid: true, count: 4 })
  })

  it('the action: count 4, and the summary says 4 changesets', () => {
    const { root } = repo()
    const ran = runAction({ inputs: { dir: 'db', tool: 'liquibase', build: 'false' }, cwd: root })
    expect(ran.status, ran.stdout).toBe(0)
    expect(ran.outputs.count).toBe('4')
    expect(ran.summary).toContain('**4 changesets** · latest version — · atlas.sum covers no file')
    expect(ran.summary).toContain(
      "- ➖ atlas.sum matches the files: it covers no file (Atlas's liquibase format hashes none of these)",
    )
  })
})
