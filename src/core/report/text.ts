import { formatLocated } from '../errors.js'
import { showName } from '../escape.js'
import type { Problem } from '../check/problems.js'
import type { Validation } from '../check/validate.js'

/** Atlas's own wording for an outdated atlas.sum, so people who know Atlas recognise it. */
export function atlasChecksumBlock(validation: Validation): string | undefined {
  const { difference } = validation
  if (!validation.problems.some(({ code }) => code === 'checksum-changed')) return undefined
  const detail = difference ? `\tL${difference.line}: ${showName(difference.name)} was ${difference.change}\n\n` : ''
  return (
    'You have a checksum error in your migration directory.\n\n' +
    detail +
    "Please check your migration files and run 'atlas migrate hash' to re-hash the contents\n"
  )
}

export function formatProblem(problem: Problem): string {
  // One line whatever the message quotes from the repository.
  return `${problem.severity}: ${showName(formatLocated(problem.message, problem))}`
}

/** The text report shared by the CLI and the action log: Atlas's block first, then one line per problem. */
export function renderValidationText(validation: Validation): string {
  const lines: string[] = []
  const block = atlasChecksumBlock(validation)
  if (block) lines.push(block)
  for (const problem of validation.problems) lines.push(formatProblem(problem))
  lines.push(...uncoveredLines(validation))
  lines.push(verdictLine(validation))
  return lines.join('\n') + '\n'
}

/** Shipped files atlas.sum does not hash, one line each with the reason. */
function uncoveredLines(validation: Validation): string[] {
  return validation.uncovered.map(({ name, reason }) => `not covered by atlas.sum: ${name} (${reason})`)
}

/** `DIR: 3 migrations valid, checksum h1:…` or `DIR: invalid (2 errors)`. */
export function verdictLine(validation: Validation): string {
  const { migrations, checksum, dir } = validation
  if (validation.valid) {
    return `${dir}: ${migrations.length} migration${migrations.length === 1 ? '' : 's'} valid, checksum ${checksum}`
  }
  const errors = validation.problems.filter(({ severity }) => severity === 'error').length
  return `${dir}: invalid (${errors} error${errors === 1 ? '' : 's'})`
}

/** Machine-readable result for `validate --json`. */
export function validationJson(validation: Validation): object {
  const byProblem = (severity: Problem['severity']): object[] =>
    validation.problems
      .filter((problem) => problem.severity === severity)
      .map(({ code, message, file, line, fix }) => ({ code, message, file, line, fix }))
  const hashes = new Map(validation.entries.map(({ name, hash }) => [name, `h1:${hash}`]))
  return {
    dir: validation.dir,
    format: validation.format,
    valid: validation.valid,
    checksum: validation.checksum,
    count: validation.migrations.length,
    latestVersion: validation.latestVersion ?? null,
    files: validation.migrations.map((migration) => ({ ...migration, hash: hashes.get(migration.name) ?? null })),
    difference: validation.difference ?? null,
    errors: byProblem('error'),
    warnings: byProblem('warning'),
    notices: byProblem('notice'),
    shipped: validation.shipped,
    uncovered: validation.uncovered,
  }
}
