import path from 'node:path'
import { kindOf, text, type ChangeSetRef, type Entry } from '../check/formats/liquibase-changelog.js'
import { parseChangelog } from '../check/formats/liquibase-parse.js'
import { resolve } from '../check/formats/liquibase-walk.js'
import { keepOnly, type SqlUnit, type TransactionRule } from './units.js'

/*
 * Liquibase's units: its changesets in the order it runs them (liquibase/liquibase v4.33.0: an include loads the
 * included changelog's changesets where it stands, DatabaseChangeLog.java), each in one transaction unless
 * `runInTransaction` is false (ChangeSet.java:440, 708-710, 804-828), its SQL split into statements that run one by
 * one (AbstractSQLChange.java:305-343). Formatted SQL changesets are read as written; XML, YAML and JSON change types
 * are turned into the SQL Liquibase generates for PostgreSQL, each on its change's line.
 */

/** How many changelogs deep includes are followed (a cycle or a stranger's tree stops here). */
const MAX_DEPTH = 32

export async function liquibaseUnits(
  master: string,
  names: readonly string[],
  read: (name: string) => string,
): Promise<SqlUnit[]> {
  const units: SqlUnit[] = []
  const visiting = new Set<string>()
  const loaded = new Set<string>()
  const available = new Set(names)
  const load = async (name: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || visiting.has(name) || loaded.has(name) || !available.has(name)) return
    visiting.add(name)
    loaded.add(name)
    let source: string
    try {
      source = read(name)
    } catch {
      return // the tool's own rules report a file that cannot be read
    }
    const { changelog, failures } = await parseChangelog(name, source)
    if (failures && failures.length > 0) return
    if (kindOf(name) === 'sql') {
      units.push(
        ...formattedSqlUnits(
          name,
          source,
          changelog.changeSets.map((changeSet) => ({ ...changeSet, line: changeSet.line ?? 1 })),
        ),
      )
      visiting.delete(name)
      return
    }
    // Includes and changesets in the order they stand in the file.
    const steps = [
      ...changelog.changeSets.map((changeSet) => ({ line: changeSet.line ?? 0, changeSet })),
      ...changelog.includes.map((include) => ({ line: include.line ?? 0, include })),
    ].sort((a, b) => a.line - b.line)
    for (const step of steps) {
      if ('changeSet' in step) {
        units.push(...changeTypeUnits(name, step.changeSet, read, available))
        continue
      }
      const { include } = step
      const target = resolve(name, include.path, include.relative)
      if (target === undefined) continue
      if (!include.all) {
        await load(target, depth + 1)
        continue
      }
      const prefix = target === '' ? '' : `${target}/`
      const found = names
        .filter((candidate) => candidate.startsWith(prefix) && kindOf(candidate) !== 'unknown')
        .filter(
          (candidate) => include.endsWith === '' || candidate.toLowerCase().endsWith(include.endsWith.toLowerCase()),
        )
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      for (const file of found) await load(file, depth + 1)
    }
    visiting.delete(name)
  }
  await load(master, 0)
  return units
}

const transactionOf = (runInTransaction: boolean): TransactionRule =>
  runInTransaction
    ? { kind: 'wrapped', why: 'Liquibase runs each changeset in one transaction (runInTransaction, the default)' }
    : { kind: 'per-statement', why: 'Liquibase runs this changeset statement by statement (runInTransaction:false)' }

const OUTSIDE =
  'put the statement in a changeset of its own with runInTransaction:false (formatted SQL: --changeset author:id runInTransaction:false)'

/** Formatted SQL: each changeset's lines up to the next `--changeset`, with its runInTransaction. */
function formattedSqlUnits(
  file: string,
  source: string,
  changeSets: readonly { author: string; id: string; line: number; ignored: boolean }[],
): SqlUnit[] {
  const lines = source.split('\n')
  const starts: number[] = []
  for (let index = 0, offset = 0; index < lines.length; index++) {
    starts.push(offset)
    offset += lines[index].length + 1
  }
  return changeSets.flatMap((changeSet, index) => {
    if (changeSet.ignored) return []
    const header = lines[changeSet.line - 1] ?? ''
    const run = /runInTransaction:(\w+)/i.exec(header)?.[1]
    const from = starts[changeSet.line] ?? source.length
    const next = changeSets[index + 1]
    const to = next ? starts[next.line - 1] : source.length
    const kept = keepOnly(source, from, to)
    return [
      {
        file,
        key: `${file}#${changeSet.author}:${changeSet.id}`,
        label: `${file} (changeset ${changeSet.author}:${changeSet.id})`,
        sql: kept,
        transaction: transactionOf(run === undefined || run.toLowerCase() === 'true'),
        outsideTransaction: OUTSIDE,
      },
    ]
  })
}

/** A name as Liquibase writes it for PostgreSQL: plain when it can be, quoted otherwise. */
const ident = (name: string | undefined): string =>
  name === undefined ? '"?"' : /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`
const table = (a: Entry['attributes'], key = 'tableName'): string =>
  `${text(a.schemaName) ? `${ident(text(a.schemaName))}.` : ''}${ident(text(a[key]))}`
const columnList = (value: unknown): string =>
  (text(value) ?? '')
    .split(',')
    .map((column) => ident(column.trim()))
    .join(', ')
const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`

function columnDefinition(column: Entry): string {
  const a = column.attributes
  const constraints = column.children.find(({ name }) => name === 'constraints')?.attributes ?? {}
  const defaults =
    text(a.defaultValueComputed) ??
    (text(a.defaultValue) !== undefined ? literal(text(a.defaultValue)!) : undefined) ??
    text(a.defaultValueNumeric) ??
    text(a.defaultValueBoolean) ??
    (text(a.defaultValueDate) !== undefined ? literal(text(a.defaultValueDate)!) : undefined)
  return [
    ident(text(a.name)),
    text(a.type) ?? 'text',
    defaults !== undefined ? `DEFAULT ${defaults}` : '',
    text(constraints.nullable)?.toLowerCase() === 'false' ? 'NOT NULL' : '',
    text(constraints.primaryKey)?.toLowerCase() === 'true' ? 'PRIMARY KEY' : '',
    text(constraints.unique)?.toLowerCase() === 'true' ? 'UNIQUE' : '',
  ]
    .filter(Boolean)
    .join(' ')
}

const columnsOf = (entry: Entry): Entry[] => entry.children.filter(({ name }) => name === 'column')

/**
 * The SQL a change type generates on PostgreSQL (Liquibase's sqlgenerator/core/*Generator.java), enough for the
 * rules: the table, the columns and the options that change the lock or the scan.
 */
function generatedSql(change: Entry): string | undefined {
  const a = change.attributes
  switch (change.name) {
    case 'sql':
      return change.text ?? text(a.sql)
    case 'createTable':
      return `CREATE TABLE ${table(a)} (${columnsOf(change).map(columnDefinition).join(', ')})`
    case 'addColumn':
      return `ALTER TABLE ${table(a)} ${columnsOf(change)
        .map((column) => `ADD COLUMN ${columnDefinition(column)}`)
        .join(', ')}`
    case 'createIndex':
      return `CREATE ${text(a.unique)?.toLowerCase() === 'true' ? 'UNIQUE ' : ''}INDEX ${ident(text(a.indexName))} ON ${table(a)} (${columnsOf(
        change,
      )
        .map((column) => ident(text(column.attributes.name)))
        .join(', ')})`
    case 'dropIndex':
      return `DROP INDEX ${text(a.schemaName) ? `${ident(text(a.schemaName))}.` : ''}${ident(text(a.indexName))}`
    case 'addForeignKeyConstraint':
      return `ALTER TABLE ${table(a, 'baseTableName')} ADD CONSTRAINT ${ident(text(a.constraintName) ?? 'fk')} FOREIGN KEY (${columnList(a.baseColumnNames)}) REFERENCES ${text(a.referencedTableSchemaName) ? `${ident(text(a.referencedTableSchemaName))}.` : ''}${ident(text(a.referencedTableName))} (${columnList(a.referencedColumnNames)})${text(a.validate)?.toLowerCase() === 'false' ? ' NOT VALID' : ''}`
    case 'addNotNullConstraint':
      return `ALTER TABLE ${table(a)} ALTER COLUMN ${ident(text(a.columnName))} SET NOT NULL`
    case 'modifyDataType':
      return `ALTER TABLE ${table(a)} ALTER COLUMN ${ident(text(a.columnName))} TYPE ${text(a.newDataType) ?? 'text'}`
    case 'dropColumn': {
      const columns =
        text(a.columnName) !== undefined ? [text(a.columnName)] : columnsOf(change).map((c) => text(c.attributes.name))
      return `ALTER TABLE ${table(a)} ${columns.map((column) => `DROP COLUMN ${ident(column)}`).join(', ')}`
    }
    case 'renameColumn':
      return `ALTER TABLE ${table(a)} RENAME COLUMN ${ident(text(a.oldColumnName))} TO ${ident(text(a.newColumnName))}`
    case 'renameTable':
      return `ALTER TABLE ${table(a, 'oldTableName')} RENAME TO ${ident(text(a.newTableName))}`
    case 'dropTable':
      return `DROP TABLE ${table(a)}`
    case 'addUniqueConstraint':
    case 'addPrimaryKey': {
      const kind = change.name === 'addPrimaryKey' ? 'PRIMARY KEY' : 'UNIQUE'
      const index = text(a.forIndexName)
      return `ALTER TABLE ${table(a)} ADD CONSTRAINT ${ident(text(a.constraintName) ?? 'key')} ${kind} ${index ? `USING INDEX ${ident(index)}` : `(${columnList(a.columnNames)})`}`
    }
    default:
      return undefined
  }
}

/** An XML, YAML or JSON changeset: its changes as SQL, each placed on its change's line; sqlFile targets as their own units. */
function changeTypeUnits(
  file: string,
  changeSet: ChangeSetRef,
  read: (name: string) => string,
  available: ReadonlySet<string>,
): SqlUnit[] {
  if (changeSet.ignored || !changeSet.changes) return []
  const key = `${file}#${changeSet.author}:${changeSet.id}`
  const label = `${file} (changeset ${changeSet.author}:${changeSet.id})`
  const transaction = transactionOf(changeSet.runInTransaction ?? true)
  const units: SqlUnit[] = []
  let sql = ''
  let line = 1
  let written = false
  for (const change of changeSet.changes) {
    if (change.name === 'sql') written = true
    if (change.name === 'sqlFile') {
      const target = resolve(
        file,
        text(change.attributes.path) ?? '',
        text(change.attributes.relativeToChangelogFile) === 'true',
      )
      if (target === undefined || !available.has(target)) continue
      try {
        units.push({
          file: target,
          key: `${key}#${target}`,
          label: `${target} (sqlFile of changeset ${changeSet.author}:${changeSet.id} in ${path.posix.basename(file)})`,
          sql: read(target),
          transaction,
          outsideTransaction: OUTSIDE,
        })
      } catch {
        // reported by the tool's own rules
      }
      continue
    }
    const generated = generatedSql(change)
    if (generated === undefined) continue
    const at = change.line ?? changeSet.line ?? line
    while (line < at) {
      sql += '\n'
      line++
    }
    sql += `${generated.trim().replace(/;\s*$/, '')};\n`
    line += 1 + (generated.trim().match(/\n/g)?.length ?? 0)
  }
  if (sql.trim() !== '')
    units.unshift({
      file,
      key,
      label,
      sql,
      transaction,
      outsideTransaction: OUTSIDE,
      // SQL this project wrote from change types: what the parser cannot read (a ${property} type) is not reported.
      ...(written ? {} : { generatedFrom: 'change types' }),
    })
  return units
}
