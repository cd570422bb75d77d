import { as, list, relationKey, shown, str } from '../ast.js'
import type { SafetyRule, Finding } from './context.js'

/**
 * ADD COLUMN … NOT NULL without a default fails on a table that has rows ("column … contains null values"), and the
 * running release's INSERTs, which do not name the column, fail once it exists.
 */
export const addRequiredColumn: SafetyRule = {
  code: 'safety/add-required-column',
  check: ({ type, node, model, group }) => {
    if (type !== 'AlterTableStmt') return []
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    const findings: Finding[] = []
    for (const item of list(node.cmds)) {
      const command = as(item, 'AlterTableCmd') ?? {}
      if (command.subtype !== 'AT_AddColumn') continue
      const def = as(command.def, 'ColumnDef') ?? {}
      const kinds = list(def.constraints).map((constraint) => str(as(constraint, 'Constraint')?.contype))
      const filled = kinds.some(
        (kind) => kind === 'CONSTR_DEFAULT' || kind === 'CONSTR_IDENTITY' || kind === 'CONSTR_GENERATED',
      )
      const serial = /serial/i.test(JSON.stringify(def.typeName ?? {}))
      if (!kinds.includes('CONSTR_NOTNULL') || filled || serial) continue
      findings.push({
        code: 'safety/add-required-column',
        table: table && shown(table),
        message: `ADD COLUMN ${str(def.colname)} … NOT NULL without a default on ${shown(table!)}: it fails when the table has rows, and the running release's INSERTs, which do not set ${str(def.colname)}, fail after it`,
        fix: 'add the column with a default (a constant one does not rewrite the table since PostgreSQL 11), or add it nullable, backfill it, and set NOT NULL safely (see safety/set-not-null)',
      })
    }
    return findings
  },
}
