import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT } from './tmp.js'

/** Fixtures: __tests__/fixtures/<tool>/<case>/{migrations/, expect.json}, one directory per rule edge. */
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures')

export interface Expected {
  readonly rule: string
  readonly source: string
  readonly valid: boolean
  readonly problems: readonly { severity: string; code: string; file: string; line: number | null }[]
  /** atlas.sum's entries in order, where the case is about Atlas's file order. */
  readonly entries?: readonly string[]
  /** Which of the tool's own rules proves the case (Liquibase's fixtures): none (`ok`), or one of this severity… */
  readonly verdict?: 'ok' | 'error' | 'warning' | 'notice'
  /** …whose message holds this. */
  readonly message?: string
}

/** Every [tool, case], sorted. */
export const fixtureCases = (): [string, string][] =>
  readdirSync(FIXTURES, { withFileTypes: true })
    .filter((tool) => tool.isDirectory())
    .flatMap((tool) =>
      readdirSync(path.join(FIXTURES, tool.name), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry): [string, string] => [tool.name, entry.name]),
    )
    .sort()

export const readExpected = (tool: string, name: string): Expected =>
  JSON.parse(readFileSync(path.join(FIXTURES, tool, name, 'expect.json'), 'utf8')) as Expected

export const fixtureDir = (tool: string, name: string): string => path.join(FIXTURES, tool, name, 'migrations')
