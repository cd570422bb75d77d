import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from './tmp.js'

/**
 * One directory per Liquibase rule edge under __tests__/fixtures/liquibase/<case>/, each with expected.json: the
 * verdict, the problem (message, file, line), what Liquibase itself does there and the source line that says so.
 * Every case runs through the bundled CLI (dist/cli.js), as a user runs it, so a bundle-only failure (a YAML
 * import that works under vitest but not in the bundle) cannot pass. e2e/liquibase-real.test.ts runs the real
 * Liquibase over the cases marked realTool and checks it agrees.
 */
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures', 'liquibase')

export interface Expected {
  readonly verdict: 'ok' | 'error' | 'warning' | 'notice'
  readonly message?: string
  readonly file?: string
  readonly line?: number
  /** What Liquibase does with the directory (`validate`): stops with an error, or passes. */
  readonly liquibase: 'fails' | 'passes'
  readonly source: string
  readonly realTool?: boolean
  /** Where the test environment's Liquibase (4.28) differs from 4.33. */
  readonly note?: string
}

export const cases = (): { name: string; dir: string; expected: Expected }[] =>
  readdirSync(FIXTURES)
    .sort()
    .map((name) => ({
      name,
      dir: path.join(FIXTURES, name),
      expected: JSON.parse(readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected,
    }))
