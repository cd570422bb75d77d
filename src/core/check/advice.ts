import type { Problem } from './problems.js'

const SUM_CODES: ReadonlySet<Problem['code']> = new Set(['checksum-changed', 'checksum-mismatch'])

/**
 * One piece of advice per run, never two that contradict: when a migration that is already on the base was edited,
 * re-hashing (the usual fix for an outdated atlas.sum) would bless the edit, so the atlas.sum error says to restore
 * it first, as the edit's own error does.
 */
export function reconcileFixes(problems: readonly Problem[], baseName: string): Problem[] {
  const edited = problems.filter(({ code, message }) => code === 'applied-changed' && message.startsWith('edits '))
  if (edited.length === 0) return [...problems]
  const names = edited.map(({ file }) => file)
  const which = names.length === 1 ? names[0] : `${names[0]} and ${names.length - 1} more`
  return problems.map((problem) =>
    SUM_CODES.has(problem.code)
      ? {
          ...problem,
          fix: `restore ${which} as it is on ${baseName} first (an applied migration is never edited: put the change in a new migration), then re-hash for the new migrations only`,
        }
      : problem,
  )
}
