import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from './tmp.js'

/**
 * Liquibase's fixtures, in the layout every tool's fixtures share (__tests__/fixtures/<tool>/<case>/{migrations/,
 * expect.json}; fixtures.test.ts judges each through dist/cli.js). Liquibase's expect.json also says which problem
 * proves the rule (verdict, message), what Liquibase itself does there (`liquibase`), and whether the real Liquibase
 * of the test environment runs it (`realTool`; e2e/liquibase-real.test.ts).
 */
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures', 'liquibase')

export interface LiquibaseExpected {
  readonly rule: string
  readonly source: string
  readonly valid: boolean
  readonly problems: readonly { severity: string; code: string; file: string; line: number | null }[]
  readonly verdict: 'ok' | 'error' | 'warning' | 'notice'
  /** Part of the message of the problem that proves the rule. */
  readonly message?: string
  /** What Liquibase 4.33 does with the directory (`validate`): stops with an error, or passes. */
  readonly liquibase: 'fails' | 'passes'
  readonly realTool?: boolean
  /** Where the test environment's Liquibase (4.28) differs from 4.33. */
  readonly note?: string
}

export const cases = (): { name: string; dir: string; expected: LiquibaseExpected }[] =>
  readdirSync(FIXTURES)
    .sort()
    .map((name) => ({
      name,
      dir: path.join(FIXTURES, name, 'migrations'),
      expected: JSON.parse(readFileSync(path.join(FIXTURES, name, 'expect.json'), 'utf8')) as LiquibaseExpected,
    }))
