import { as, list, names, qualifiedKey, relationKey, shown, str } from '../ast.js'
import type { SafetyRule, Finding } from './context.js'

const EXPAND_CONTRACT =
  'ship a release that no longer uses it first, and drop it in a later migration (expand, then contract)'

/** DROP TABLE of a table that exists: its data is gone, and the release still running reads it. */
export const dropTable: SafetyRule = {
  code: 'safety/drop-table',
  check: ({ type, node, model, group }) => {
    if (type !== 'DropStmt' || node.removeType !== 'OBJECT_TABLE') return []
    return list(node.objects)
      .map((object) => qualifiedKey(names(as(object, 'List')?.items)))
      .filter((key) => key !== undefined && model.established(key, group))
      .map((key): Finding => ({
        code: 'safety/drop-table',
        table: shown(key!),
        lock: 'ACCESS EXCLUSIVE',
        message: `DROP TABLE ${shown(key!)} deletes the table and its data, and the release still running fails on every query of it`,
        fix: EXPAND_CONTRACT,
      }))
  },
}

/** ALTER TABLE … DROP COLUMN of a column that exists. */
export const dropColumn: SafetyRule = {
  code: 'safety/drop-column',
  check: ({ type, node, model, group }) => {
    if (type !== 'AlterTableStmt') return []
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    return list(node.cmds)
      .map((item) => as(item, 'AlterTableCmd') ?? {})
      .filter(({ subtype, name }) => {
        if (subtype !== 'AT_DropColumn') return false
        const column = model.column(table, str(name))
        return column === undefined || column.group !== group
      })
      .map(({ name }): Finding => ({
        code: 'safety/drop-column',
        table: shown(table!),
        lock: 'ACCESS EXCLUSIVE',
        message: `DROP COLUMN ${str(name)} deletes ${shown(table!)}.${str(name)} and its data, and the release still running fails on every query that names it`,
        fix: EXPAND_CONTRACT,
      }))
  },
}

/** DROP SCHEMA / DROP DATABASE: everything in it is gone. */
export const dropSchema: SafetyRule = {
  code: 'safety/drop-schema',
  check: ({ type, node, model, group }) => {
    const schemas =
      type === 'DropStmt' && node.removeType === 'OBJECT_SCHEMA'
        ? names(node.objects).filter((name) => model.schemas.get(name) !== group)
        : []
    const database = type === 'DropdbStmt' ? str(node.dbname) : undefined
    return [
      ...schemas.map((name) => `SCHEMA ${name}`),
      ...(database === undefined ? [] : [`DATABASE ${database}`]),
    ].map((what): Finding => ({
      code: 'safety/drop-schema',
      message: `DROP ${what} deletes everything in it, and the release still running fails on all of it`,
      fix: EXPAND_CONTRACT,
    }))
  },
}

/** RENAME of a table or column that exists: the release still running uses the old name. */
export const renameTable: SafetyRule = {
  code: 'safety/rename-table',
  check: ({ type, node, model, group }) => {
    if (type !== 'RenameStmt' || node.renameType !== 'OBJECT_TABLE') return []
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    return [
      {
        code: 'safety/rename-table',
        table: shown(table!),
        lock: 'ACCESS EXCLUSIVE',
        message: `RENAME ${shown(table!)} TO ${str(node.newname)}: the release still running queries ${shown(table!)} and fails until the new one is out`,
        fix: `create the new name beside the old (a view ${shown(table!)} over the renamed table keeps the running release working), switch the application, then drop the old name`,
      },
    ]
  },
}

export const renameColumn: SafetyRule = {
  code: 'safety/rename-column',
  check: ({ type, node, model, group }) => {
    if (type !== 'RenameStmt' || node.renameType !== 'OBJECT_COLUMN') return []
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    const column = model.column(table, str(node.subname))
    if (column && column.group === group) return []
    return [
      {
        code: 'safety/rename-column',
        table: shown(table!),
        lock: 'ACCESS EXCLUSIVE',
        message: `RENAME COLUMN ${str(node.subname)} TO ${str(node.newname)} on ${shown(table!)}: the release still running names ${str(node.subname)} and fails until the new one is out`,
        fix: 'add the new column, write both and backfill, switch the application to it, then drop the old column',
      },
    ]
  },
}
