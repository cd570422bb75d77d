import { describe, expect, it } from 'vitest'
import { applyRequest, parseTimeout } from '../src/core/apply/request.js'
import type { ApplyResult } from '../src/core/apply/result.js'
import { renderApplySection, renderApplyText } from '../src/core/report/apply-section.js'
import { trustedCleanup } from '../src/io/cleanup.js'

const result: ApplyResult = {
  database: 'postgres:17-alpine',
  databaseMs: 2100,
  base: { adds: ['1_a.sql'], count: 1, ms: 300, ok: true },
  runs: [
    { adds: ['2_b.sql'], ms: 250, ok: true },
    {
      adds: ['3_c.sql'],
      ms: 120,
      ok: false,
      failure: { file: '3_c.sql', line: 4, message: 'syntax error at or near "|x" @team' },
    },
  ],
  roundTrip: { kind: 'skipped', why: 'the new migrations did not all apply' },
  schemaDiff: "--- base\n+++ with the new migrations\n@@ -0,0 +1,1 @@\n+CREATE TABLE t (x text DEFAULT '```');\n",
  dumpMs: 400,
  failures: [{ file: '3_c.sql', line: 4, message: 'syntax error', title: 'migration failed' }],
  notes: [],
  ok: false,
  totalMs: 3500,
}

describe('the Apply check section', () => {
  it('shows the database, the base, each new migration, the round trip and the diff', () => {
    const markdown = renderApplySection(result, { dir: 'migrations', baseName: 'main' })
    expect(markdown).toContain('### Apply check — ❌ failed')
    expect(markdown).toContain('| Database | <code>postgres:17-alpine</code> (ready in 2.10 s) |')
    expect(markdown).toContain('| Base migrations (main) | 1 applied in 0.30 s ✅ |')
    expect(markdown).toContain('| <code>2&#95;b.sql</code> | 0.25 s | ✅ |')
    // Foreign text: the pipe stays in its cell, the mention does not ping.
    expect(markdown).toContain(
      '| <code>3&#95;c.sql</code> | 0.12 s | ❌ <code>migrations/3&#95;c.sql:4</code> syntax error at or near "\\|x" @\u200bteam |',
    )
    expect(markdown).toContain('| Down/up round trip | ➖ the new migrations did not all apply |')
    // A fence longer than any backtick run in the SQL: the diff cannot close it.
    expect(markdown).toContain(
      "````diff\n--- base\n+++ with the new migrations\n@@ -0,0 +1,1 @@\n+CREATE TABLE t (x text DEFAULT '```');\n````",
    )
    expect(markdown).toContain('<details><summary>Schema change (+1 −0 lines)</summary>')
  })

  it('a round trip that ran, and the text for a terminal', () => {
    const passed: ApplyResult = {
      ...result,
      runs: [result.runs[0]],
      failures: [],
      ok: true,
      roundTrip: { kind: 'ran', how: 'rollback × 1', downMs: 500, upMs: 400, ok: true },
    }
    expect(renderApplySection(passed, { dir: 'm' })).toContain(
      '| Down/up round trip | ✅ rollback × 1 (0.50 s), then up again (0.40 s): same schema |',
    )
    expect(renderApplyText(passed, 'm')).toContain('  ok   round trip: rollback × 1 (0.50 s), then up again (0.40 s)')
    expect(renderApplyText(result, 'm')).toContain(
      '  FAIL 3_c.sql (0.12 s): m/3_c.sql:4: syntax error at or near "|x" @team',
    )
  })
})

describe('apply check requests', () => {
  it('reads apply-timeout as seconds, minutes or hours', () => {
    expect(parseTimeout('90', 'x')).toBe(90_000)
    expect(parseTimeout('90s', 'x')).toBe(90_000)
    expect(parseTimeout('10m', 'x')).toBe(600_000)
    expect(parseTimeout('1h', 'x')).toBe(3_600_000)
    expect(() => parseTimeout('0', 'input apply-timeout')).toThrow('input apply-timeout must be a duration')
    expect(() => parseTimeout('7h', 'x')).toThrow('at most 6h')
    expect(() => parseTimeout('soon', 'x')).toThrow("not 'soon'")
  })

  it('checks the database and the URL before anything is built', () => {
    const names = { database: 'input database', databaseUrl: 'input database-url', timeout: 'input apply-timeout' }
    expect(applyRequest({}, names)).toEqual({
      database: 'postgres:17-alpine',
      databaseUrl: undefined,
      timeoutMs: 600_000,
    })
    expect(() => applyRequest({ database: 'redis:7' }, names)).toThrow('neither a PostgreSQL, MySQL nor MariaDB image')
    expect(() => applyRequest({ databaseUrl: 'http://x/y' }, names)).toThrow('input database-url has the scheme')
  })
})

describe('the post step removes only an apply check this action names', () => {
  it('keeps a generated prefix, ignores anything else', () => {
    expect(trustedCleanup({ apply: 'migration-image-apply-0123456789ab' }, undefined).state).toEqual({
      apply: 'migration-image-apply-0123456789ab',
    })
    for (const apply of ['my-db', 'migration-image-apply-0123456789ab --all', '--force', 42]) {
      const { state, ignored } = trustedCleanup({ apply }, undefined)
      expect(state.apply).toBeUndefined()
      expect(ignored[0]).toContain('not a name this action generates')
    }
  })
})
