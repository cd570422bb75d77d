import type { MeasuredRun, MeasuredStatement, Trace } from '../apply/trace.js'
import type { JudgedStatement, SafetyFinding, SafetyReport } from './analyze.js'
import { shown } from './ast.js'
import type { SafetyCode } from './codes.js'
import { BLOCKING, BLOCKS, strongestFirst, type LockMode } from './locks.js'

/*
 * The static findings against what the apply check's trace measured on a real server (part 2 of deploy safety):
 * a measured fact confirms a finding (`measured`, with the facts in words), disproves one (dropped, and listed in
 * `corrected` with what was measured), or adds one no static rule saw (`measuredOnly`). Only what was measured is
 * claimed: a finding the trace has no event for (DROP, REINDEX, a tool run that failed) stays static.
 */

type Correction = NonNullable<SafetyReport['corrected']>[number]

/** Node types by the command tags the server's event triggers give. */
const TAG_TYPES: Readonly<Record<string, string>> = {
  'ALTER TABLE': 'AlterTableStmt',
  'CREATE INDEX': 'IndexStmt',
  'CREATE TABLE': 'CreateStmt',
  REINDEX: 'ReindexStmt',
}

interface RunView {
  readonly run: MeasuredRun
  readonly files: ReadonlySet<string>
  readonly statements: readonly (MeasuredStatement & { readonly shownTable?: string })[]
}

/** The report with the trace's verdicts; unchanged but for `measurement` when nothing was measured. */
export function withMeasurements(
  report: SafetyReport,
  trace: Trace,
  options: { readonly bookkeeping: readonly string[]; readonly refiledAttributable: boolean },
): SafetyReport {
  if (!trace.measured) return { ...report, measurement: { measured: false, why: trace.why } }
  const bookkeeping = new Set(options.bookkeeping.map((name) => name.toLowerCase()))
  const isBookkeeping = (table: string | undefined): boolean =>
    table !== undefined && bookkeeping.has((table.split('.').at(-1) ?? table).toLowerCase())
  const views: RunView[] = trace.runs.map((run) => ({
    run,
    files: new Set(run.adds),
    statements: run.statements
      .filter((statement) => !isBookkeeping(statement.table))
      .map((statement) => ({ ...statement, shownTable: statement.table && shown(statement.table) })),
  }))
  const viewOf = (file: string): RunView | undefined =>
    views.find((view) => view.files.has(file)) ?? (views.length === 1 ? views[0] : undefined)
  const refiled = new Set(trace.refiled.map(shown))
  const findings: SafetyFinding[] = []
  const corrected: Correction[] = []
  for (const finding of report.findings) {
    const view = viewOf(finding.file)
    const verdict = view ? judge(finding, view, refiled, options.refiledAttributable) : undefined
    if (verdict?.kind === 'disproved') {
      corrected.push({
        code: finding.code,
        file: finding.file,
        line: finding.line,
        migration: finding.migration,
        statement: finding.statement,
        why: verdict.why,
      })
    } else if (verdict?.kind === 'confirmed') {
      findings.push({ ...finding, measured: true, facts: verdict.facts })
    } else {
      findings.push(finding)
    }
  }
  findings.push(...added(report, views, findings))
  return {
    ...report,
    findings,
    corrected,
    measurement: { measured: true, serverVersion: trace.serverVersion },
  }
}

type Verdict =
  | { readonly kind: 'confirmed'; readonly facts: string[] }
  | { readonly kind: 'disproved'; readonly why: string }
  | undefined

const on = (view: RunView, table: string | undefined, tag?: string) =>
  view.statements.filter(
    (statement) =>
      table !== undefined && statement.shownTable === table && (tag === undefined || statement.tag === tag),
  )

/** The modes taken on a table, strongest first. */
const tookOn = (statements: readonly MeasuredStatement[], table: string): LockMode[] =>
  strongestFirst([
    ...new Set(
      statements.flatMap(({ took }) => took.filter((lock) => shown(lock.table) === table).map(({ mode }) => mode)),
    ),
  ])

function lockFacts(statements: readonly MeasuredStatement[], table: string): string[] {
  return tookOn(statements, table).map(
    (mode) => `took ${mode} on ${table} (${BLOCKS[mode].replace(/^blocks/, 'it blocks')})`,
  )
}

function judge(
  finding: SafetyFinding,
  view: RunView,
  refiled: ReadonlySet<string>,
  refiledAttributable: boolean,
): Verdict {
  const table = finding.table
  if (table === undefined) return undefined
  switch (finding.code) {
    case 'safety/index-without-concurrently': {
      const built = on(view, table, 'CREATE INDEX').filter(({ took }) => took.length > 0)
      return built.length > 0
        ? { kind: 'confirmed', facts: [...lockFacts(built, table), ...scans(built, table)] }
        : undefined
    }
    case 'safety/table-rewrite': {
      const rewrites = view.statements.flatMap(({ rewrote }) =>
        rewrote.filter((rewrite) => shown(rewrite.table) === table),
      )
      if (rewrites.length > 0) {
        const touched = on(view, table)
        return {
          kind: 'confirmed',
          facts: [
            ...lockFacts(touched, table),
            `rewrote ${table} (${[...new Set(rewrites.flatMap(({ reasons }) => reasons))].join('; ')}): reads and writes wait for the whole rewrite`,
          ],
        }
      }
      if (refiled.has(table) && (refiledAttributable || /VACUUM|CLUSTER/i.test(finding.statement)))
        return {
          kind: 'confirmed',
          facts: [`replaced the storage of ${table} (a new relfilenode): it rewrote the table`],
        }
      // The ALTER ran (the trace saw it) and the server rewrote nothing: the static guess was wrong.
      const altered = on(view, table, 'ALTER TABLE')
      if (altered.length > 0 && !refiled.has(table))
        return { kind: 'disproved', why: `measured: the server ran it without rewriting ${table}` }
      return undefined
    }
    case 'safety/constraint-without-not-valid': {
      const changes = on(view, table, 'ALTER TABLE').flatMap((statement) =>
        statement.constraints.map((constraint) => ({ statement, constraint })),
      )
      const validated = changes.filter(({ constraint }) => constraint.validated && constraint.kind !== 'not null')
      if (validated.length > 0) {
        const statements = validated.map(({ statement }) => statement)
        return {
          kind: 'confirmed',
          facts: [
            ...lockFacts(statements, table),
            ...validated.map(
              ({ constraint }) =>
                `${constraint.added ? 'added' : 'validated'} ${constraint.kind} ${constraint.name} validated at once`,
            ),
            ...scans(statements, table),
          ],
        }
      }
      if (changes.length > 0 && changes.every(({ constraint }) => !constraint.validated))
        return { kind: 'disproved', why: `measured: the constraint was added NOT VALID (no scan under lock)` }
      return undefined
    }
    case 'safety/set-not-null': {
      const set = on(view, table, 'ALTER TABLE').filter(({ setNotNull }) => setNotNull.length > 0)
      if (set.length === 0) return undefined
      const scanned = set.filter(({ scanned }) => scanned.some((name) => shown(name) === table))
      if (scanned.length > 0)
        return {
          kind: 'confirmed',
          facts: [...lockFacts(set, table), `scanned ${table} to prove the column has no NULL`],
        }
      return {
        kind: 'disproved',
        why: `measured: the server set NOT NULL without scanning ${table} (a validated CHECK proves it)`,
      }
    }
    case 'safety/no-lock-timeout': {
      const locking = view.statements.filter(({ took }) =>
        took.some((lock) => shown(lock.table) === table && BLOCKING.has(lock.mode)),
      )
      if (locking.length === 0) return undefined
      const untimed = locking.filter(({ lockTimeout }) => isZero(lockTimeout))
      if (untimed.length > 0)
        return {
          kind: 'confirmed',
          facts: [...lockFacts(untimed.slice(0, 1), table), 'lock_timeout was 0 (none) as it ran'],
        }
      return {
        kind: 'disproved',
        why: `measured: lock_timeout was ${locking[0].lockTimeout} as it ran (set for the login or the database)`,
      }
    }
    case 'safety/unique-without-index':
    case 'safety/add-required-column':
    case 'safety/drop-column':
    case 'safety/rename-column':
    case 'safety/rename-table': {
      const touched = on(view, table, 'ALTER TABLE')
      const facts = lockFacts(touched, table)
      return facts.length > 0 ? { kind: 'confirmed', facts: [...facts, ...scans(touched, table)] } : undefined
    }
    default:
      return undefined
  }
}

function scans(statements: readonly MeasuredStatement[], table: string): string[] {
  return statements.some(({ scanned }) => scanned.some((name) => shown(name) === table))
    ? [`scanned ${table} while holding it`]
    : []
}

const isZero = (value: string): boolean => /^\s*0+\s*[a-z]*\s*$/i.test(value)

/** What the trace saw that no static finding names: each becomes a finding of its own, marked measured only. */
function added(report: SafetyReport, views: readonly RunView[], findings: readonly SafetyFinding[]): SafetyFinding[] {
  const out: SafetyFinding[] = []
  const severity = report.mode === 'error' ? 'error' : 'warning'
  const has = (files: ReadonlySet<string>, code: SafetyCode, table?: string) =>
    findings.some(
      (finding) =>
        finding.code === code &&
        (files.size === 0 || files.has(finding.file)) &&
        (table === undefined || finding.table === table),
    )
  for (const view of views) {
    const files = view.files
    const place = (table: string | undefined, tag: string) =>
      placeOn(report.statements ?? [], files, table, TAG_TYPES[tag])
    const add = (
      code: SafetyCode,
      table: string,
      tag: string,
      lock: LockMode | undefined,
      message: string,
      fix: string,
      facts: string[],
    ) => {
      const where = place(table, tag)
      if (!where || ignored(report, where, code)) return
      out.push({
        code,
        table,
        lock,
        blocks: lock ? BLOCKS[lock] : undefined,
        file: where.file,
        line: where.line,
        migration: where.migration,
        statement: where.statement,
        severity,
        message,
        fix,
        measured: true,
        measuredOnly: true,
        facts,
      })
    }
    let timed = has(files, 'safety/no-lock-timeout')
    for (const statement of view.statements) {
      const table = statement.shownTable
      for (const rewrite of statement.rewrote) {
        const name = shown(rewrite.table)
        if (has(files, 'safety/table-rewrite', name)) continue
        add(
          'safety/table-rewrite',
          name,
          statement.tag,
          'ACCESS EXCLUSIVE',
          `the server rewrote ${name} (${rewrite.reasons.join('; ')}) under an ACCESS EXCLUSIVE lock, which no static rule predicted: reads and writes wait for the whole rewrite`,
          'find the statement that rewrites it (a type change, a volatile default) and do it the expand-and-backfill way',
          [`rewrote ${name} (${rewrite.reasons.join('; ')})`],
        )
      }
      if (table !== undefined) {
        for (const constraint of statement.constraints) {
          if (!constraint.added || !constraint.validated || !/foreign key|check/.test(constraint.kind)) continue
          if (has(files, 'safety/constraint-without-not-valid', table)) continue
          add(
            'safety/constraint-without-not-valid',
            table,
            statement.tag,
            undefined,
            `the server added ${constraint.kind} ${constraint.name} on ${table} validated at once, scanning the table under lock`,
            'add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration',
            [`added ${constraint.kind} ${constraint.name} validated at once`],
          )
        }
      }
      const blocking = statement.took.find(({ mode }) => BLOCKING.has(mode))
      if (!timed && blocking && isZero(statement.lockTimeout)) {
        timed = true
        const name = shown(blocking.table)
        add(
          'safety/no-lock-timeout',
          name,
          statement.tag,
          blocking.mode,
          `took ${blocking.mode} on ${name} with lock_timeout 0 (measured): behind a long query on ${name} it waits, and every query that comes after it waits too`,
          "start the migration with `SET lock_timeout = '5s'`, and retry the deploy if it times out",
          [`took ${blocking.mode} on ${name}`, 'lock_timeout was 0 (none) as it ran'],
        )
      }
    }
  }
  return out
}

/** The statement of the run's files that a measured command was: same table and type, else the run's first one. */
function placeOn(
  statements: readonly JudgedStatement[],
  files: ReadonlySet<string>,
  table: string | undefined,
  type: string | undefined,
): JudgedStatement | undefined {
  const mine = statements.filter((statement) => files.size === 0 || files.has(statement.file))
  return (
    mine.find((statement) => statement.table === table && (type === undefined || statement.type === type)) ??
    mine.find((statement) => statement.table === table) ??
    mine[0] ??
    // Nothing the parser read (dynamic SQL in a DO block, a function): the migration's first line.
    [...files].slice(0, 1).map((file) => ({ file, line: 1, migration: file, type: '', statement: '' }))[0]
  )
}

/** An ignore of `code` covers the statement: the whole file's, or one in the block of ignores right above it. */
function ignored(report: SafetyReport, where: JudgedStatement, code: SafetyCode): boolean {
  const mine = (report.ignores ?? []).filter((ignore) => ignore.file === where.file)
  if (mine.some((ignore) => ignore.wholeFile && ignore.code === code)) return true
  const byLine = new Map(mine.map((ignore) => [ignore.line, ignore]))
  for (let line = where.line - 1; byLine.has(line); line--) if (byLine.get(line)!.code === code) return true
  return false
}
