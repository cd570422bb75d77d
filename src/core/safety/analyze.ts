import { as, list, names, qualifiedKey, relationKey, shown, str, unwrap, type Node } from './ast.js'
import type { SafetyCode } from './codes.js'
import { ignoring, isSafetyCode, readIgnores, type Ignore } from './ignores.js'
import { ALTER_TABLE_LOCKS, BLOCKING, BLOCKS, strongest, type LockMode } from './locks.js'
import { loadParser, type ParsedStatement } from './parser.js'
import type { Finding, StatementContext } from './rules/context.js'
import { RULES } from './rules/index.js'
import { SchemaModel } from './schema.js'
import type { SqlUnit } from './units.js'
import { clipped } from '../text.js'

/** One finding on its file and line, as reports show it. */
export interface SafetyFinding extends Finding {
  /** The file (slash path, relative to the directory). */
  readonly file: string
  readonly line: number
  /** The migration, as reports name it (the file, or the changeset). */
  readonly migration: string
  /** The statement, clipped to one line. */
  readonly statement: string
  /** What the lock blocks, when the finding is about one. */
  readonly blocks?: string
  readonly severity: 'error' | 'warning' | 'notice'
  /** Confirmed (or found) by the apply check's trace on a real server; its facts in `facts`. */
  readonly measured?: boolean
  /** Found by the trace alone: no static rule saw it. */
  readonly measuredOnly?: boolean
  /** What the server measured for this statement, in words (`took ACCESS EXCLUSIVE on users`, `rewrote users`). */
  readonly facts?: readonly string[]
}

/** One statement of a new migration, as the trace's findings are placed: its file, line, node type and table. */
export interface JudgedStatement {
  readonly file: string
  readonly line: number
  readonly migration: string
  readonly type: string
  /** The table it is on, as messages name it. */
  readonly table?: string
  readonly statement: string
}

export interface SafetyReport {
  readonly postgresVersion: number
  /** The migrations judged (the new ones on a pull request; all without a base), as reports name them. */
  readonly migrations: readonly string[]
  readonly findings: readonly SafetyFinding[]
  /** Why nothing was read although safety is on (a MySQL database: no parser for it). */
  readonly notChecked?: string
  /** `error`: every finding is an error. */
  readonly mode?: 'warn' | 'error'
  /** The new migrations' statements (for placing what the trace finds on its line). */
  readonly statements?: readonly JudgedStatement[]
  /** The ignore comments of the new migrations (a finding the trace adds honours them too). */
  readonly ignores?: readonly {
    readonly file: string
    readonly line: number
    readonly code: string
    readonly wholeFile: boolean
  }[]
  /** What the apply check's trace measured, or why it did not. */
  readonly measurement?:
    { readonly measured: true; readonly serverVersion: number } | { readonly measured: false; readonly why: string }
  /** Static findings the trace disproved, dropped, each with what was measured. */
  readonly corrected?: readonly (Pick<SafetyFinding, 'code' | 'file' | 'line' | 'migration' | 'statement'> & {
    readonly why: string
  })[]
}

export interface SafetyInput {
  /** Every unit of the directory, in the tool's order. */
  readonly units: readonly SqlUnit[]
  /** The units already on the base branch (their objects exist on a live database); undefined without a base. */
  readonly established?: ReadonlySet<string>
  readonly postgresVersion: number
  /** `error` makes every finding an error; `warn` (the default) a warning. */
  readonly mode: 'warn' | 'error'
  /** Each file's own text (for its ignore comments), by slash path. */
  readonly read: (file: string) => string
}

/** Which group a unit's objects belong to: the base, the pull request, or (without a base) the migration itself. */
const groupOf = (unit: SqlUnit, established: ReadonlySet<string> | undefined): string =>
  established === undefined ? unit.key : established.has(unit.key) ? 'base' : 'change'

/**
 * Reads every unit with PostgreSQL's parser, in the tool's order, keeping the schema they build; the new units'
 * statements are judged against the schema as it was before each of them, with the tool's transactions.
 */
export async function analyzeSafety(input: SafetyInput): Promise<SafetyReport> {
  const parser = await loadParser()
  const model = new SchemaModel()
  const findings: SafetyFinding[] = []
  const judged: string[] = []
  const statements: JudgedStatement[] = []
  const ignoresByFile = new Map<string, Map<number, Ignore>>()
  const ignoresOf = (file: string): Map<number, Ignore> => {
    let found = ignoresByFile.get(file)
    if (!found) {
      found = readIgnores(input.read(file))
      ignoresByFile.set(file, found)
    }
    return found
  }
  const severity = (finding: Finding): SafetyFinding['severity'] =>
    finding.fails || input.mode === 'error' ? 'error' : 'warning'
  for (const unit of input.units) {
    const group = groupOf(unit, input.established)
    const isNew = group !== 'base'
    const parsed = parser.parse(unit.sql)
    const lines = unit.line === undefined ? lineStarts(unit.sql) : []
    const lineOf = (offset: number): number => unit.line ?? lineAt(lines, offset)
    if (isNew) judged.push(unit.label)
    if (!parsed.ok) {
      if (isNew && !unit.generatedFrom)
        findings.push({
          code: 'safety/unparsed',
          file: unit.file,
          line: lineOf(parsed.offset),
          migration: unit.label,
          statement: '',
          severity: 'notice',
          message: `PostgreSQL's parser cannot read this (${parsed.message}), so its deploy safety was not checked (the tool's own rules decide whether it runs)`,
          fix: "if these migrations are not for PostgreSQL (MySQL, MariaDB), set the safety option to off; if they use the tool's placeholders, nothing needs doing",
        })
      continue
    }
    const placed: SafetyFinding[] = []
    for (const context of contexts(unit, parsed.statements, parsed.skipped, model, group, input.postgresVersion)) {
      const { statement } = context
      if (isNew && statements.length < MAX_JUDGED_STATEMENTS) {
        statements.push({
          file: unit.file,
          line: lineOf(statement.start),
          migration: unit.label,
          type: context.type,
          table: tableOf(context),
          statement: oneLine(unit.sql.slice(statement.start, statement.end)),
        })
      }
      if (isNew) {
        const found = RULES.flatMap((rule) => rule.check(context))
        const lock = untimedLock(context)
        if (lock) found.push(lock)
        for (const finding of found)
          placed.push({
            ...finding,
            file: unit.file,
            line: lineOf(statement.start),
            migration: unit.label,
            statement: oneLine(unit.sql.slice(statement.start, statement.end)),
            blocks: finding.lock ? BLOCKS[finding.lock] : undefined,
            severity: severity(finding),
          })
      }
      model.apply(statement.node, group, context.transaction)
    }
    if (!isNew) continue
    const ignores = ignoresOf(unit.file)
    for (const finding of onceForLockTimeout(placed)) {
      if (!ignoring(ignores, finding.code, finding.line)) findings.push(finding)
    }
  }
  const ignores = [...ignoresByFile].flatMap(([file, byLine]) =>
    [...byLine.values()].map(({ line, code, wholeFile }) => ({ file, line, code, wholeFile })),
  )
  for (const [file, byLine] of ignoresByFile) findings.push(...ignoreFindings(file, byLine))
  return { postgresVersion: input.postgresVersion, migrations: judged, findings, mode: input.mode, statements, ignores }
}

interface Judged extends StatementContext {
  readonly statement: ParsedStatement
  readonly lockTimeout: boolean
}

/** Each statement with the transaction and lock_timeout it runs under, as the tool runs the unit. */
function* contexts(
  unit: SqlUnit,
  statements: readonly ParsedStatement[],
  skipped: number,
  model: SchemaModel,
  group: string,
  postgresVersion: number,
): Generator<Judged> {
  const rule = unit.transaction
  const typed = statements.map((statement) => ({ statement, ...typeOf(statement.node) }))
  const detected = typed.filter(({ type, node }) => flywayDetects(type, node, postgresVersion))
  // Statements the parser was not given (queries, DML) are transactional ones to Flyway and count for one-query.
  const total = typed.length + skipped
  const mixed = rule.kind === 'flyway' && detected.length > 0 && detected.length < total
  let inTransaction: boolean
  let why: string
  switch (rule.kind) {
    case 'wrapped':
      ;[inTransaction, why] = [true, rule.why]
      break
    case 'one-query':
      ;[inTransaction, why] = [total > 1, `${rule.why}, and this one holds ${total} statements`]
      break
    case 'per-statement':
      ;[inTransaction, why] = [false, rule.why]
      break
    case 'flyway':
      // ParserSqlScript.java:97-103 refuses the mix; a script of only detected statements runs outside a transaction.
      ;[inTransaction, why] = mixed
        ? [
            true,
            'Flyway refuses a script that mixes it with other statements ("Detected both transactional and non-transactional statements within the same migration")',
          ]
        : detected.length > 0
          ? [false, 'Flyway runs this script outside a transaction']
          : [true, `${rule.why}, and its parser does not recognise this one (PostgreSQLParser.java:35-43)`]
      break
  }
  let transaction = 0
  let sessionTimeout = false
  let localTimeout = false
  for (const { statement, type, node } of typed) {
    if (type === 'TransactionStmt') {
      const kind = str(node.kind) ?? ''
      if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
        inTransaction = true
        why = 'the file opens a transaction block with BEGIN'
        transaction++
      } else if (/COMMIT|ROLLBACK/.test(kind)) {
        inTransaction = false
        why = 'after COMMIT the statements run on their own'
        localTimeout = false
        transaction++
      }
    }
    if (type === 'VariableSetStmt' && str(node.name) === 'lock_timeout') {
      const on = node.kind === 'VAR_SET_VALUE' && !isZero(list(node.args)[0])
      if (node.is_local === true) localTimeout = on
      else sessionTimeout = on
    }
    yield {
      type,
      node,
      unit,
      model,
      group,
      statement,
      inTransaction,
      transactionWhy: why,
      transaction: `${unit.key}#${transaction}`,
      postgresVersion,
      lockTimeout: sessionTimeout || (localTimeout && inTransaction),
    }
  }
}

/** Statements kept for placing the trace's findings (beyond it, they sit on the migration's first statement). */
const MAX_JUDGED_STATEMENTS = 20_000

/** The table a statement is on, as messages name it. */
function tableOf({ type, node }: StatementContext): string | undefined {
  if (type === 'DropStmt' || type === 'TruncateStmt') return undefined
  const key = relationKey(node.relation)
  return key === undefined ? undefined : shown(key)
}

const typeOf = (statement: Node): { type: string; node: Node } => {
  const [type, node] = unwrap(statement) ?? ['', {}]
  return { type, node }
}

/** `SET lock_timeout = 0` (or '0', '0s') turns it off. */
function isZero(value: unknown): boolean {
  const constant = as(value, 'A_Const') ?? {}
  const integer = constant.ival as Node | undefined
  if (integer !== undefined) return Number(integer.ival ?? 0) === 0
  const text = str((constant.sval as Node | undefined)?.sval)
  return text !== undefined && /^\s*0+\s*[a-z]*\s*$/i.test(text)
}

/**
 * The statements Flyway's PostgreSQL parser recognises as unable to run in a transaction (flyway 13.0.0
 * PostgreSQLParser.java:35-43, 145-168): CREATE/DROP [UNIQUE] INDEX CONCURRENTLY, REINDEX SCHEMA/DATABASE/SYSTEM,
 * VACUUM, CREATE/DROP DATABASE and TABLESPACE, ALTER SYSTEM, and ALTER TYPE … ADD VALUE before PostgreSQL 12. Not
 * REINDEX … CONCURRENTLY of a table or index, nor DETACH PARTITION CONCURRENTLY: those run in the transaction.
 */
function flywayDetects(type: string, node: Node, postgresVersion: number): boolean {
  switch (type) {
    case 'IndexStmt':
      return node.concurrent === true
    case 'DropStmt':
      return node.concurrent === true
    case 'ReindexStmt':
      return /SCHEMA|DATABASE|SYSTEM/.test(str(node.kind) ?? '')
    case 'VacuumStmt':
      return node.is_vacuumcmd === true
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'AlterSystemStmt':
      return true
    case 'AlterEnumStmt':
      return postgresVersion < 12
    default:
      return false
  }
}

/** The table-level locks a statement takes on tables that existed before this change. */
function locksTaken({ type, node, model, group }: StatementContext): { table: string; mode: LockMode }[] {
  const on = (table: string | undefined, mode: LockMode) =>
    table !== undefined && model.established(table, group) ? [{ table, mode }] : []
  switch (type) {
    case 'AlterTableStmt': {
      const commands = list(node.cmds).map((cmd) => as(cmd, 'AlterTableCmd') ?? {})
      const modes = commands.map(({ subtype, def }) =>
        subtype === 'AT_AddConstraint' && as(def, 'Constraint')?.contype === 'CONSTR_FOREIGN'
          ? 'SHARE ROW EXCLUSIVE'
          : (ALTER_TABLE_LOCKS[str(subtype) ?? ''] ?? 'ACCESS EXCLUSIVE'),
      )
      const mode = strongest(modes)
      const referenced = commands
        .map(({ def }) => as(def, 'Constraint'))
        .filter((constraint) => constraint?.contype === 'CONSTR_FOREIGN')
        .flatMap((constraint) => on(relationKey(constraint!.pktable), 'SHARE ROW EXCLUSIVE'))
      return [...(mode ? on(relationKey(node.relation), mode) : []), ...referenced]
    }
    case 'IndexStmt':
      return node.concurrent === true ? [] : on(relationKey(node.relation), 'SHARE')
    case 'ReindexStmt':
      return on(relationKey(node.relation), 'SHARE')
    case 'RenameStmt':
    case 'ClusterStmt':
      return on(relationKey(node.relation), 'ACCESS EXCLUSIVE')
    case 'CreateTrigStmt':
      return on(relationKey(node.relation), 'SHARE ROW EXCLUSIVE')
    case 'TruncateStmt':
      return list(node.relations).flatMap((relation) => on(relationKey(as(relation, 'RangeVar')), 'ACCESS EXCLUSIVE'))
    case 'DropStmt': {
      if (node.concurrent === true) return []
      const keys = list(node.objects).map((object) => qualifiedKey(names(as(object, 'List')?.items ?? [object])))
      if (node.removeType === 'OBJECT_TABLE') return keys.flatMap((key) => on(key, 'ACCESS EXCLUSIVE'))
      if (node.removeType === 'OBJECT_INDEX')
        return keys.flatMap((key) =>
          key && model.indexEstablished(key, group) ? on(model.indexes.get(key)?.table ?? key, 'ACCESS EXCLUSIVE') : [],
        )
      return []
    }
    default:
      return []
  }
}

/**
 * A lock that stops the table's writes (or reads) taken without a lock_timeout: while it waits behind a long query,
 * every query after it waits too (docs: "Explicit Locking"; lock_timeout in "Client Connection Defaults").
 */
function untimedLock(context: Judged): Finding | undefined {
  if (context.lockTimeout) return undefined
  const blocking = locksTaken(context).filter(({ mode }) => BLOCKING.has(mode))
  if (blocking.length === 0) return undefined
  const { table, mode } = blocking[0]
  return {
    code: 'safety/no-lock-timeout',
    table: shown(table),
    lock: mode,
    message: `takes ${mode} on ${shown(table)} with no lock_timeout: behind a long query on ${shown(table)} it waits, and every query that comes after it waits too, for as long as that query runs`,
    fix:
      context.unit.transaction.kind === 'wrapped'
        ? "start the migration with `SET LOCAL lock_timeout = '5s'` (it holds to the end of the tool's transaction), and retry the deploy if it times out"
        : "start the migration with `SET lock_timeout = '5s'`, and retry the deploy if it times out",
  }
}

/** One no-lock-timeout finding per migration (one SET at its top fixes every statement): the first, with a count. */
function onceForLockTimeout(findings: readonly SafetyFinding[]): SafetyFinding[] {
  const untimed = findings.filter(({ code }) => code === 'safety/no-lock-timeout')
  if (untimed.length <= 1) return [...findings]
  const [first] = untimed
  return findings
    .filter((finding) => finding.code !== 'safety/no-lock-timeout' || finding === first)
    .map((finding) =>
      finding === first
        ? {
            ...finding,
            message: `${finding.message} (and ${untimed.length - 1} more statement${untimed.length > 2 ? 's' : ''} of this migration after it)`,
          }
        : finding,
    )
}

function ignoreFindings(file: string, ignores: Map<number, Ignore>): SafetyFinding[] {
  const findings: SafetyFinding[] = []
  for (const ignore of ignores.values()) {
    const base = { file, line: ignore.line, migration: file, statement: '', severity: 'warning' as const }
    if (!isSafetyCode(ignore.code) || ignore.reason === '') {
      findings.push({
        ...base,
        code: 'safety/bad-ignore',
        message:
          ignore.reason === '' && isSafetyCode(ignore.code)
            ? `this ignore of ${ignore.code} gives no reason, so it ignores nothing`
            : `'${clipped(ignore.code, 60)}' is not a deploy-safety code, so this ignore ignores nothing`,
        fix: 'write it as -- migration-image:ignore safety/<rule> <why it is safe here>',
      })
    } else if (!ignore.used) {
      findings.push({
        ...base,
        code: 'safety/unused-ignore' satisfies SafetyCode,
        message: `this ignore of ${ignore.code} matches no finding ${ignore.wholeFile ? 'in the file' : 'on the statement after it'}`,
        fix: 'remove it (the statement it was for is safe now, or it sits on the wrong line: the line right before the statement)',
      })
    }
  }
  return findings
}

/** The offset each line starts at (line 1 at 0). */
function lineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

/** The 1-based line of an offset: the number of line starts at or before it. */
function lineAt(starts: readonly number[], offset: number): number {
  let low = 0
  let high = starts.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (starts[middle] <= offset) low = middle + 1
    else high = middle
  }
  return low
}

const oneLine = (sql: string): string => clipped(sql.replace(/\s+/g, ' ').trim(), 160)
