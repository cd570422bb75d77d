import type { Located } from '../errors.js'

/** The checks every directory gets, whatever its tool. */
export const CHECK_CODES = [
  'checksum-not-found',
  'checksum-format',
  'checksum-mismatch',
  'checksum-changed',
  'bad-name',
  'duplicate-version',
  'symlink',
  'not-regular',
  'binary',
  'line-endings',
  'applied-changed',
  'out-of-order',
] as const

export type CheckCode = (typeof CHECK_CODES)[number]

/** A tool's own rule: `<tool>/<rule>` (`dbmate/missing-down`), declared once in the tool's format (`toolRules`). */
export type RuleCode = `${string}/${string}`

export type ProblemCode = CheckCode | RuleCode

export type Severity = 'error' | 'warning' | 'notice'

/** One finding about the directory, located on a file (and line) with the fix. */
export interface Problem extends Located {
  readonly code: ProblemCode
  readonly severity: Severity
  readonly message: string
  readonly file: string
  /**
   * The other file of a pair the tool refuses together (a second file of one version), relative to the directory:
   * the problem sits on the file to change, and names this one.
   */
  readonly twin?: string
}

/** Whether a code names a tool's own rule rather than one of the shared checks. */
export const isRuleCode = (code: ProblemCode): code is RuleCode => code.includes('/')

/**
 * A tool's rule codes, declared in one place per format: each key of `rules` is how the format's code refers to the
 * rule, each value the rule's stable name; the codes are `<tool>/<name>`. A unit test holds every format's codes
 * unique and the README's list equal to them.
 */
export function toolRules<const T extends Record<string, string>>(
  tool: string,
  rules: T,
): { readonly [K in keyof T]: `${typeof tool}/${T[K]}` } {
  return Object.fromEntries(Object.entries(rules).map(([key, rule]) => [key, `${tool}/${rule}`])) as {
    readonly [K in keyof T]: `${typeof tool}/${T[K]}`
  }
}
