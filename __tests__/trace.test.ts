import { describe, expect, it } from 'vitest'
import { parseTrace } from '../src/core/apply/trace.js'
import { withMeasurements } from '../src/core/safety/measured.js'
import type { SafetyReport } from '../src/core/safety/analyze.js'

// The trace's read-back (what src/core/apply/trace-sql.ts prints) as the apply check parses it. Its rows are
// written inside the tool's sessions, where a pull request's SQL could write them too: they are parsed as hostile.
const windows = [
  { adds: ['2_a.sql'], from: 1000, to: 2000 },
  { adds: ['3_b.sql'], from: 3000, to: 4000 },
]
const event = (at: number, more: Record<string, unknown>) => ({
  at,
  pid: 7,
  xact: '1',
  tag: 'ALTER TABLE',
  tbl: 'public.users',
  locks: [],
  lock_timeout: '0',
  scans: [],
  constraints: [['users_pkey', 'p', true]],
  not_null: ['id'],
  ...more,
})
const read = (document: Record<string, unknown>) =>
  `MI_TRACE ${JSON.stringify({ version: '150020', constraints: [['public.users', 'users_pkey', 'p', true]], not_null: [['public.users', 'id']], tables: ['public.users'], refiled: [], ...document })}\n`

describe('the trace read back', () => {
  it('gives each command its run, the locks it newly took, its scans, rewrites and constraint changes', () => {
    const trace = parseTrace(
      read({
        events: [
          event(1500, { tag: 'CREATE INDEX', locks: [['public.users', 'ShareLock']], scans: [['public.users', 1]] }),
          event(3100, { tag: 'table_rewrite', reason: 4, locks: null, constraints: null, not_null: null }),
          event(3200, {
            locks: [['public.users', 'AccessExclusiveLock']],
            scans: [['public.users', 4]],
            constraints: [
              ['users_pkey', 'p', true],
              ['users_org', 'f', true],
            ],
            not_null: ['id', 'name'],
          }),
        ],
      }),
      windows,
    )
    expect(trace.measured).toBe(true)
    if (!trace.measured) return
    expect(trace.serverVersion).toBe(150020)
    expect(trace.runs[0].statements).toEqual([
      expect.objectContaining({
        tag: 'CREATE INDEX',
        took: [{ table: 'public.users', mode: 'SHARE' }],
        scanned: ['public.users'],
      }),
    ])
    const [alter] = trace.runs[1].statements
    expect(alter.took).toEqual([{ table: 'public.users', mode: 'ACCESS EXCLUSIVE' }])
    expect(alter.rewrote).toEqual([{ table: 'public.users', reasons: ['a column is rewritten'] }])
    expect(alter.constraints).toEqual([{ name: 'users_org', kind: 'foreign key', validated: true, added: true }])
    expect(alter.setNotNull).toEqual(['name'])
  })

  it('garbage, forged or oversized read-backs are not measurements and never throw', () => {
    expect(parseTrace('nothing here', windows)).toEqual({
      measured: false,
      why: 'the trace could not be read back from the database',
    })
    expect(parseTrace('MI_TRACE {not json', windows).measured).toBe(false)
    expect(parseTrace(`MI_TRACE ${'x'.repeat(9 << 20)}`, windows).measured).toBe(false)
    const forged = parseTrace(
      read({
        events: [
          'a string',
          null,
          { at: 'soon', pid: 1, tag: 'ALTER TABLE' },
          event(1500, { tag: { toString: 1 }, locks: [['public.users', 'NoSuchLock'], [42]], scans: 'many' }),
          event(1600, { tbl: 'x'.repeat(10_000), locks: [['public.users', 'ShareLock']] }),
        ],
        refiled: [1, 'public.users', { a: 1 }],
      }),
      windows,
    )
    expect(forged.measured).toBe(true)
    if (!forged.measured) return
    const [statement] = forged.runs[0].statements
    expect(statement.table?.length).toBeLessThanOrEqual(200)
    expect(forged.runs[0].statements).toHaveLength(1)
    expect(forged.refiled).toEqual(['1', 'public.users'])
  })
})

describe('measured against the static findings', () => {
  const report: SafetyReport = {
    postgresVersion: 17,
    migrations: ['2_a.sql'],
    mode: 'warn',
    findings: [
      {
        code: 'safety/table-rewrite',
        table: 'users',
        lock: 'ACCESS EXCLUSIVE',
        message: 'ALTER COLUMN n TYPE text rewrites users',
        fix: 'f',
        file: '2_a.sql',
        line: 1,
        migration: '2_a.sql',
        statement: 'ALTER TABLE users ALTER COLUMN n TYPE text',
        severity: 'warning',
      },
    ],
    statements: [
      { file: '2_a.sql', line: 1, migration: '2_a.sql', type: 'AlterTableStmt', table: 'users', statement: 's' },
    ],
    ignores: [],
  }
  const measuring = (statement: Record<string, unknown>) =>
    parseTrace(read({ events: [event(1500, statement)] }), windows.slice(0, 1))

  it('a rewrite the server did not do is dropped, with what was measured', () => {
    const merged = withMeasurements(report, measuring({ locks: [['public.users', 'AccessExclusiveLock']] }), {
      bookkeeping: [],
      refiledAttributable: true,
    })
    expect(merged.findings.filter(({ code }) => code === 'safety/table-rewrite')).toEqual([])
    expect(merged.corrected).toEqual([
      expect.objectContaining({
        code: 'safety/table-rewrite',
        why: 'measured: the server ran it without rewriting users',
      }),
    ])
    // The untimed ACCESS EXCLUSIVE that no static finding named is added, measured only.
    expect(merged.findings).toEqual([
      expect.objectContaining({ code: 'safety/no-lock-timeout', measuredOnly: true, file: '2_a.sql', line: 1 }),
    ])
  })

  it("an ignore above the statement holds for what only the trace found; the tool's bookkeeping is not judged", () => {
    const ignored = {
      ...report,
      findings: [],
      ignores: [{ file: '2_a.sql', line: 0, code: 'safety/no-lock-timeout', wholeFile: false }],
    }
    const merged = withMeasurements(ignored, measuring({ locks: [['public.users', 'AccessExclusiveLock']] }), {
      bookkeeping: [],
      refiledAttributable: true,
    })
    expect(merged.findings).toEqual([])
    const bookkeeping = withMeasurements(
      { ...report, findings: [] },
      measuring({ tbl: 'public.schema_migrations', locks: [] }),
      { bookkeeping: ['schema_migrations'], refiledAttributable: true },
    )
    expect(bookkeeping.findings).toEqual([])
  })

  it('not measured: the report says why and keeps every static finding', () => {
    const merged = withMeasurements(
      report,
      { measured: false, why: 'the login app is not a superuser' },
      {
        bookkeeping: [],
        refiledAttributable: true,
      },
    )
    expect(merged.findings).toEqual(report.findings)
    expect(merged.measurement).toEqual({ measured: false, why: 'the login app is not a superuser' })
  })
})
