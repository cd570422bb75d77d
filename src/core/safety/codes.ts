/**
 * Deploy safety's rule codes, each stable: `safety/<rule>`. A code never changes meaning; a new rule gets a new
 * code. The README's table lists them with their peers' equivalents (a unit test holds the two equal).
 */
export const SAFETY_CODES = [
  'safety/index-without-concurrently',
  'safety/drop-index-without-concurrently',
  'safety/reindex-without-concurrently',
  'safety/concurrently-in-transaction',
  'safety/constraint-without-not-valid',
  'safety/set-not-null',
  'safety/unique-without-index',
  'safety/table-rewrite',
  'safety/no-lock-timeout',
  'safety/add-required-column',
  'safety/drop-table',
  'safety/drop-column',
  'safety/drop-schema',
  'safety/rename-table',
  'safety/rename-column',
  'safety/unused-ignore',
  'safety/bad-ignore',
  'safety/unparsed',
] as const

export type SafetyCode = (typeof SAFETY_CODES)[number]
