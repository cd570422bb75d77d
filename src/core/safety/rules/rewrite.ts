import {
  as,
  columnType,
  descendants,
  hasOption,
  list,
  names,
  relationKey,
  shown,
  str,
  typeText,
  type ColumnType,
} from '../ast.js'
import { BLOCKS } from '../locks.js'
import type { SafetyRule, StatementContext, Finding } from './context.js'

/** Functions a default may call without a rewrite (STABLE or IMMUTABLE: evaluated once for ADD COLUMN, PG 11+). */
const NOT_VOLATILE = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_date',
  'current_setting',
  'lower',
  'upper',
  'length',
  'coalesce',
  'to_timestamp',
  'make_date',
  'make_interval',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'array_fill',
])
/** VOLATILE functions a default commonly calls: each row gets its own value, so the table is rewritten. */
const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
  'setseed',
])
const SERIAL = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2'])

/** Why a default makes ADD COLUMN rewrite the table (PostgreSQL 11+), or undefined when it does not. */
function volatileDefault(expression: unknown): string | undefined {
  for (const [type, node] of descendants(expression)) {
    if (type !== 'FuncCall') continue
    const name = names(node.funcname).at(-1)?.toLowerCase() ?? ''
    if (VOLATILE.has(name)) return `its default calls ${name}(), which is VOLATILE`
    if (!NOT_VOLATILE.has(name))
      return `its default calls ${name}(), which rewrites the table unless it is STABLE or IMMUTABLE`
  }
  return undefined
}

/**
 * Type changes that keep every stored byte (binary-coercible: no rewrite; docs: ALTER TABLE, "SET DATA TYPE" and the
 * note on rewrites): a longer or unbounded varchar, varchar to text and back unbounded, a wider numeric of the
 * same scale, varbit wider, cidr to inet. Everything else rewrites the table and its indexes.
 */
function binaryCoercible(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false
  const text = (type: ColumnType) => type.name === 'text' || (type.name === 'varchar' && type.mods.length === 0)
  if (from.name === to.name && from.mods.join() === to.mods.join()) return true
  if ((from.name === 'varchar' || from.name === 'text') && text(to)) return true
  if (from.name === 'text' && to.name === 'varchar') return to.mods.length === 0
  if ((from.name === 'varchar' && to.name === 'varchar') || (from.name === 'varbit' && to.name === 'varbit'))
    return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0])
  if (from.name === 'numeric' && to.name === 'numeric') {
    if (to.mods.length === 0) return true
    return from.mods.length > 0 && to.mods[0] >= from.mods[0] && (to.mods[1] ?? 0) === (from.mods[1] ?? 0)
  }
  return from.name === 'cidr' && to.name === 'inet'
}

function rewrites(context: StatementContext): { what: string; why: string }[] {
  const { type, node, model, postgresVersion } = context
  const table = relationKey(node.relation)
  const found: { what: string; why: string }[] = []
  if (type === 'VacuumStmt' && hasOption(node.options, 'full')) {
    const relations = list(node.rels).map((item) => relationKey(as(item, 'VacuumRelation')?.relation))
    for (const relation of relations.length > 0 ? relations : [undefined])
      found.push({
        what: `VACUUM FULL ${relation ? shown(relation) : '(every table)'}`,
        why: 'it writes a new copy of the table',
      })
  }
  if (type === 'ClusterStmt')
    found.push({
      what: `CLUSTER ${table ? shown(table) : ''}`.trim(),
      why: 'it writes a new copy of the table in index order',
    })
  if (type !== 'AlterTableStmt') return found
  for (const item of list(node.cmds)) {
    const command = as(item, 'AlterTableCmd') ?? {}
    if (command.subtype === 'AT_SetLogged' || command.subtype === 'AT_SetUnLogged') {
      found.push({
        what: `SET ${command.subtype === 'AT_SetLogged' ? 'LOGGED' : 'UNLOGGED'}`,
        why: 'it writes a new copy of the table',
      })
    } else if (command.subtype === 'AT_AlterColumnType') {
      const column = str(command.name)
      const def = as(command.def, 'ColumnDef') ?? {}
      const target = columnType(def.typeName)
      const old = model.column(table, column)?.type
      const using = def.raw_default !== undefined
      if (!target) continue
      if (old && !using && binaryCoercible(old, target)) continue
      found.push({
        what: `ALTER COLUMN ${column} TYPE ${typeText(target)}`,
        why: using
          ? 'a USING expression computes every row again'
          : old
            ? `${typeText(old)} to ${typeText(target)} is not binary-coercible, so every row is rewritten`
            : 'every row is rewritten unless the old type is binary-coercible to the new one (varchar(n) to text is; int to bigint is not)',
      })
    } else if (command.subtype === 'AT_AddColumn') {
      const def = as(command.def, 'ColumnDef') ?? {}
      const column = str(def.colname)
      const constraints = list(def.constraints).map((constraint) => as(constraint, 'Constraint') ?? {})
      const kind = columnType(def.typeName)
      const defaults = constraints.filter(({ contype }) => contype === 'CONSTR_DEFAULT')
      if (kind && SERIAL.has(kind.name)) {
        found.push({
          what: `ADD COLUMN ${column} ${kind.name}`,
          why: 'a serial column fills every row from a sequence',
        })
      } else if (constraints.some(({ contype }) => contype === 'CONSTR_IDENTITY')) {
        found.push({
          what: `ADD COLUMN ${column} … GENERATED AS IDENTITY`,
          why: 'an identity column fills every row from a sequence',
        })
      } else if (
        constraints.some(({ contype, generated_kind }) => contype === 'CONSTR_GENERATED' && generated_kind !== 'v')
      ) {
        found.push({
          what: `ADD COLUMN ${column} … GENERATED ALWAYS AS (…) STORED`,
          why: 'a stored generated column computes every row',
        })
      } else if (defaults.length > 0) {
        const isNull = defaults.every(({ raw_expr }) => (as(raw_expr, 'A_Const') ?? {}).isnull === true)
        const volatile = volatileDefault(defaults.map(({ raw_expr }) => raw_expr))
        if (postgresVersion < 11 && !isNull) {
          found.push({
            what: `ADD COLUMN ${column} … DEFAULT`,
            why: 'before PostgreSQL 11 any default is written into every row',
          })
        } else if (volatile) {
          found.push({ what: `ADD COLUMN ${column} … DEFAULT`, why: volatile })
        }
      }
    }
  }
  return found
}

/** A statement that rewrites a table that exists, under ACCESS EXCLUSIVE for the whole rewrite. */
export const tableRewrite: SafetyRule = {
  code: 'safety/table-rewrite',
  check: (context) => {
    const { type, node, model, group } = context
    const table = type === 'VacuumStmt' ? undefined : relationKey(node.relation)
    if (type !== 'VacuumStmt' && !model.established(table, group)) return []
    return rewrites(context).map(({ what, why }): Finding => ({
      code: 'safety/table-rewrite',
      table: table && shown(table),
      lock: 'ACCESS EXCLUSIVE',
      message: `${what} rewrites ${table ? shown(table) : 'the table'} (${why}) under an ACCESS EXCLUSIVE lock: it ${BLOCKS['ACCESS EXCLUSIVE']} for the whole rewrite, which takes as long as the table is large`,
      fix: /TYPE/.test(what)
        ? 'add a new column of the new type, backfill it in batches, switch the application to it, then drop the old column'
        : /DEFAULT/.test(what)
          ? 'add the column without the default (or with a constant one), then set the default and backfill existing rows in batches'
          : /VACUUM FULL|CLUSTER/.test(what)
            ? 'use pg_repack (no long lock), or run it in a maintenance window outside the migrations'
            : /serial|IDENTITY|GENERATED/.test(what)
              ? 'add a plain nullable column, backfill it in batches, then attach the sequence or expression'
              : 'run it in a maintenance window, outside the deploy',
    }))
  },
}
