import { as, list, names, relationKey, shown, str } from '../ast.js'
import { BLOCKS } from '../locks.js'
import type { SafetyRule, StatementContext, Finding } from './context.js'

const commands = ({ type, node }: StatementContext) =>
  type === 'AlterTableStmt' ? list(node.cmds).map((cmd) => as(cmd, 'AlterTableCmd') ?? {}) : []

/**
 * ADD FOREIGN KEY / ADD CHECK validate every row at once under the lock they take (SHARE ROW EXCLUSIVE on both
 * tables for a foreign key, ACCESS EXCLUSIVE for a check); NOT VALID adds them without the scan, and VALIDATE
 * CONSTRAINT later scans under SHARE UPDATE EXCLUSIVE — but only in another transaction, or the first lock is still
 * held (docs: ALTER TABLE, ADD table_constraint … NOT VALID, VALIDATE CONSTRAINT).
 */
export const constraintWithoutNotValid: SafetyRule = {
  code: 'safety/constraint-without-not-valid',
  check: (context) => {
    const { node, model, group, transaction } = context
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    const findings: Finding[] = []
    for (const command of commands(context)) {
      if (command.subtype === 'AT_AddConstraint') {
        const constraint = as(command.def, 'Constraint') ?? {}
        const kind = constraint.contype
        if ((kind !== 'CONSTR_FOREIGN' && kind !== 'CONSTR_CHECK') || constraint.skip_validation === true) continue
        const foreign = kind === 'CONSTR_FOREIGN'
        const referenced = foreign ? relationKey(constraint.pktable) : undefined
        const lock = foreign ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE'
        const name = str(constraint.conname) ?? (foreign ? 'the_fkey' : 'the_check')
        findings.push({
          code: 'safety/constraint-without-not-valid',
          table: table && shown(table),
          lock,
          message: `ADD ${foreign ? 'FOREIGN KEY' : 'CHECK'} on ${shown(table!)} checks every existing row at once under a ${lock} lock${foreign && referenced ? ` on ${shown(table!)} and ${shown(referenced)}` : ''}: it ${BLOCKS[lock]} for the whole scan`,
          fix: `add it NOT VALID (\`ALTER TABLE ${shown(table!)} ADD CONSTRAINT ${name} … NOT VALID\`), then run \`ALTER TABLE ${shown(table!)} VALIDATE CONSTRAINT ${name}\` in a later migration (or another transaction): it scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on`,
        })
      } else if (command.subtype === 'AT_ValidateConstraint') {
        const name = str(command.name)
        const added = name ? model.tables.get(table ?? '')?.constraints.get(name) : undefined
        if (added && !added.validated && added.transaction === transaction) {
          findings.push({
            code: 'safety/constraint-without-not-valid',
            table: table && shown(table),
            lock: 'ACCESS EXCLUSIVE',
            message: `VALIDATE CONSTRAINT ${name} runs in the same transaction as the ADD … NOT VALID that created it: the ADD's lock on ${shown(table!)} is still held for the whole scan, so NOT VALID gains nothing`,
            fix: 'move the `VALIDATE CONSTRAINT` to a later migration (or after a `COMMIT`, in a tool that runs this file outside a transaction)',
          })
        }
      }
    }
    return findings
  },
}

/**
 * SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, unless (PostgreSQL 12+) a validated CHECK
 * (col IS NOT NULL) already proves it (docs: ALTER TABLE, SET/DROP NOT NULL).
 */
export const setNotNull: SafetyRule = {
  code: 'safety/set-not-null',
  check: (context) => {
    const { node, model, group, postgresVersion } = context
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    const findings: Finding[] = []
    for (const command of commands(context)) {
      if (command.subtype !== 'AT_SetNotNull') continue
      const column = str(command.name)
      const existing = model.column(table, column)
      if (existing && existing.group === group) continue // a column added in this change
      const proven = [...(model.tables.get(table ?? '')?.constraints.values() ?? [])].some(
        (constraint) => constraint.kind === 'check' && constraint.validated && constraint.notNullOf === column,
      )
      if (proven && postgresVersion >= 12) continue
      findings.push({
        code: 'safety/set-not-null',
        table: table && shown(table),
        lock: 'ACCESS EXCLUSIVE',
        message: `SET NOT NULL on ${shown(table!)}.${column} scans every row under an ACCESS EXCLUSIVE lock: it ${BLOCKS['ACCESS EXCLUSIVE']} for the whole scan${proven ? ' (PostgreSQL before 12 does not use the CHECK that proves it)' : ''}`,
        fix:
          postgresVersion >= 12
            ? `first \`ALTER TABLE ${shown(table!)} ADD CONSTRAINT ${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID\`, then \`ALTER TABLE ${shown(table!)} VALIDATE CONSTRAINT ${column}_not_null\` in a later migration; \`SET NOT NULL\` after that skips the scan (drop the CHECK afterwards)`
            : 'PostgreSQL before 12 always scans: keep a validated `CHECK (col IS NOT NULL)` constraint instead of `SET NOT NULL`, or run it in a quiet window',
      })
    }
    return findings
  },
}

/**
 * ADD UNIQUE / ADD PRIMARY KEY build their index under ACCESS EXCLUSIVE, unless USING INDEX names one built
 * CONCURRENTLY beforehand (docs: ALTER TABLE, ADD table_constraint_using_index). A new serial or identity primary key
 * column does the same.
 */
export const uniqueWithoutIndex: SafetyRule = {
  code: 'safety/unique-without-index',
  check: (context) => {
    const { node, model, group } = context
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    const findings: Finding[] = []
    for (const command of commands(context)) {
      const constraints =
        command.subtype === 'AT_AddConstraint'
          ? [as(command.def, 'Constraint') ?? {}]
          : command.subtype === 'AT_AddColumn'
            ? list(as(command.def, 'ColumnDef')?.constraints).map((item) => as(item, 'Constraint') ?? {})
            : []
      for (const constraint of constraints) {
        const kind = constraint.contype
        if ((kind !== 'CONSTR_UNIQUE' && kind !== 'CONSTR_PRIMARY') || str(constraint.indexname) !== undefined) continue
        const what = kind === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'
        const columns = names(constraint.keys)
        const column = str(as(command.def, 'ColumnDef')?.colname)
        const on = columns.length > 0 ? columns.join(', ') : (column ?? 'col')
        findings.push({
          code: 'safety/unique-without-index',
          table: table && shown(table),
          lock: 'ACCESS EXCLUSIVE',
          message: `ADD ${what} on ${shown(table!)} builds its unique index under an ACCESS EXCLUSIVE lock: it ${BLOCKS['ACCESS EXCLUSIVE']} until the index is built`,
          fix: `build the index first with \`CREATE UNIQUE INDEX CONCURRENTLY ${shown(table!).replace(/\W/g, '_')}_${on.replace(/\W/g, '_')}_key ON ${shown(table!)} (${on})\` (outside a transaction), then \`ALTER TABLE ${shown(table!)} ADD CONSTRAINT … ${what} USING INDEX …\``,
        })
      }
    }
    return findings
  },
}
