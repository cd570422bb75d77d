import path from 'node:path'
import { compareUtf8 } from './byte-order.js'
import { getFormat } from './formats/index.js'
import type { Problem } from './problems.js'
import type { Validation } from './validate.js'
import { OPTION } from '../option-names.js'

export interface BaseComparison {
  /** The directory at the base commit (validated with the same format). */
  readonly base: Validation
  /** The directory as checked out (the pull request). */
  readonly head: Validation
  /** How the base is named in messages, e.g. `main` or a short sha. */
  readonly baseName: string
  /** True when the base's file and the checkout's file have the same bytes. */
  readonly sameContent: (baseFile: string, headFile: string) => boolean
  /** The first line where the checkout's file differs from the base's (where an edit's error points). */
  readonly changedLine?: (baseFile: string, headFile: string) => number | undefined
  readonly allowOutOfOrder: boolean
}

export interface BaseResult {
  readonly problems: Problem[]
  /** Migrations this pull request adds. */
  readonly added: string[]
}

/**
 * Rules that need the base branch: an applied migration (one that exists on the base) must not be edited, deleted
 * or renamed — the fix is a new migration; a new migration must sort after the base's latest version, or parallel
 * pull requests apply out of order.
 */
export function baseBranchProblems(comparison: BaseComparison): BaseResult {
  const { base, head, baseName, sameContent, allowOutOfOrder } = comparison
  const problems: Problem[] = []
  const at = (name: string): string => path.join(head.dir, name)
  const headNames = new Set(head.migrations.map(({ name }) => name))
  const baseNames = new Set(base.migrations.map(({ name }) => name))
  const added = head.migrations.filter(({ name }) => !baseNames.has(name))
  const renamedTo = new Set<string>()
  for (const { name } of base.migrations) {
    if (headNames.has(name)) {
      if (!sameContent(name, name)) {
        problems.push({
          code: 'applied-changed',
          severity: 'error',
          file: at(name),
          line: comparison.changedLine?.(name, name),
          message: `edits a migration that is already on ${baseName}: databases that applied it will never run the change`,
          fix: `restore it as it is on ${baseName} and put the change in a new migration`,
        })
      }
      continue
    }
    const twin = added.find((candidate) => !renamedTo.has(candidate.name) && sameContent(name, candidate.name))
    if (twin) renamedTo.add(twin.name)
    problems.push({
      code: 'applied-changed',
      severity: 'error',
      file: twin ? at(twin.name) : at(name),
      message: twin
        ? `renames ${name}, a migration that is already on ${baseName}, to ${twin.name}: tools track applied migrations by name and version`
        : `deletes ${name}, a migration that is already on ${baseName}`,
      fix: `restore ${name} as it is on ${baseName}; undo its effect with a new migration if needed`,
    })
  }
  const format = getFormat(head.format)
  const compare = format.compareVersions ?? compareUtf8
  const latest = base.latestVersion
  // Re-hashing is advice only where there is an atlas.sum to re-hash.
  const hasSum = !head.problems.some(({ code }) => code === 'checksum-not-found')
  if (latest !== undefined && !allowOutOfOrder) {
    for (const migration of added) {
      if (migration.version === undefined || renamedTo.has(migration.name)) continue
      if (compare(migration.version, latest) <= 0) {
        problems.push({
          code: 'out-of-order',
          severity: 'error',
          file: at(migration.name),
          message: `out of order: version ${migration.version} sorts at or before ${latest}, the latest version on ${baseName} (another pull request merged first)`,
          fix: hasSum
            ? `give it a version after ${latest} and re-run 'migration-image hash', or set ${OPTION.allowOutOfOrder}`
            : `give it a version after ${latest}, or set ${OPTION.allowOutOfOrder}`,
        })
      }
    }
  }
  return { problems, added: added.map(({ name }) => name) }
}
