import type { SafetyReport } from '../safety/analyze.js'
import { formatLocated } from '../errors.js'
import { showName } from '../escape.js'
import type { Problem, Severity } from '../check/problems.js'
import type { Validation } from '../check/validate.js'

/** The fix `atlas migrate hash` would be: Atlas's own last line fits it. */
const isRehash = (fix: string | undefined): boolean => fix === undefined || /^run 'migration-image hash /.test(fix)

/**
 * Atlas's own wording for an outdated atlas.sum, so people who know Atlas recognise it. Its last line ("run 'atlas
 * migrate hash'") is Atlas's only when re-hashing is the fix; otherwise (CRLF line endings, an edited applied
 * migration) the block ends with the fix this run found, so the advice never contradicts itself.
 */
export function atlasChecksumBlock(validation: Validation): string | undefined {
  const { difference } = validation
  const problem = validation.problems.find(({ code }) => code === 'checksum-changed')
  if (!problem) return undefined
  const detail = difference ? `\tL${difference.line}: ${showName(difference.name)} was ${difference.change}\n\n` : ''
  const last = isRehash(problem.fix)
    ? "Please check your migration files and run 'atlas migrate hash' to re-hash the contents\n"
    : `${showName(problem.fix ?? '')}\n`
  return 'You have a checksum error in your migration directory.\n\n' + detail + last
}

export function formatProblem(problem: Problem): string {
  // One line whatever the message quotes from the repository.
  return `${problem.severity}: ${showName(formatLocated(problem.message, problem))}`
}

const ORDER: readonly Severity[] = ['error', 'warning', 'notice']

/** Problems grouped: errors, then warnings, then notices (each group in the order found). */
export function bySeverity(problems: readonly Problem[]): Problem[] {
  return ORDER.flatMap((severity) => problems.filter((problem) => problem.severity === severity))
}

/**
 * The text report of the CLI: the problems grouped (errors, warnings, notices), Atlas's block in place of the
 * checksum error it words, one line per kind of file atlas.sum does not cover, and the verdict last, as compilers do.
 */
export function renderValidationText(validation: Validation): string {
  const lines: string[] = []
  const block = atlasChecksumBlock(validation)
  for (const problem of bySeverity(validation.problems)) {
    if (block && problem.code === 'checksum-changed')
      lines.push(`error: ${problem.file}:${problem.line ?? 1}: ${block.trimEnd()}`)
    else lines.push(formatProblem(problem))
  }
  lines.push(...uncoveredLines(validation))
  lines.push(verdictLine(validation))
  return lines.join('\n') + '\n'
}

export interface UncoveredGroup {
  readonly reason: string
  readonly names: readonly string[]
}

/** Files atlas.sum does not hash, one group per reason (all of golang-migrate's down files are one group). */
export function uncoveredGroups(validation: Validation): UncoveredGroup[] {
  const groups = new Map<string, string[]>()
  for (const { name, reason } of validation.uncovered) {
    const names = groups.get(reason) ?? []
    names.push(name)
    groups.set(reason, names)
  }
  return [...groups].map(([reason, names]) => ({ reason, names }))
}

/** One line per reason, with a count and where the full list is. */
export function uncoveredLines(validation: Validation): string[] {
  return uncoveredGroups(validation).map(({ reason, names }) =>
    names.length === 1
      ? `note: not covered by atlas.sum: ${showName(names[0])} (${showName(reason)})`
      : `note: not covered by atlas.sum: ${names.length} files, ${showName(names[0])} and ${names.length - 1} more (${showName(reason)}); they are shipped in the image ('validate --json' lists them under "uncovered")`,
  )
}

/** `DIR: 3 migrations valid, checksum h1:…` or `DIR: invalid (2 errors)`. */
export function verdictLine(validation: Validation): string {
  const { count, countUnit, checksum, dir } = validation
  if (validation.valid) {
    return `${dir}: ${count} ${countUnit}${count === 1 ? '' : 's'} valid, checksum ${checksum}`
  }
  const errors = validation.problems.filter(({ severity }) => severity === 'error').length
  return `${dir}: invalid (${errors} error${errors === 1 ? '' : 's'})`
}

/** Machine-readable result for `validate --json`. */
export function validationJson(validation: Validation): object {
  const byProblem = (severity: Problem['severity']): object[] =>
    validation.problems
      .filter((problem) => problem.severity === severity)
      .map(({ code, message, file, line, fix, twin }) => ({ code, message, file, line, fix, twin }))
  const hashes = new Map(validation.entries.map(({ name, hash }) => [name, `h1:${hash}`]))
  return {
    dir: validation.dir,
    format: validation.format,
    valid: validation.valid,
    checksum: validation.checksum,
    count: validation.count,
    latestVersion: validation.latestVersion ?? null,
    files: validation.migrations.map((migration) => ({ ...migration, hash: hashes.get(migration.name) ?? null })),
    difference: validation.difference ?? null,
    errors: byProblem('error'),
    warnings: byProblem('warning'),
    notices: byProblem('notice'),
    shipped: validation.shipped,
    uncovered: validation.uncovered,
    safety: validation.safety ? safetyJson(validation.safety) : null,
  }
}

/** Deploy safety's report as JSON consumers read it (without the statements and ignores kept for the trace). */
export function safetyJson(report: SafetyReport): object {
  const { statements: _statements, ignores: _ignores, ...rest } = report
  void _statements
  void _ignores
  return rest
}
