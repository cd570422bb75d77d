import { markdownCell, markdownCode } from '../escape.js'
import { isRuleCode, type Problem } from '../check/problems.js'
import type { Validation } from '../check/validate.js'

const MAX_ROWS = 200

// Everything in the summary and the PR comment that comes from the repository, git or docker is escaped here.
const cell = markdownCell
const code = markdownCode

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

export interface SummaryContext {
  /** Migrations the pull request adds (marked 🆕). */
  readonly added?: readonly string[]
  /** What the base-branch checks compared with; undefined when they did not run. */
  readonly baseName?: string
}

interface Check {
  readonly name: string
  readonly covers: (code: Problem['code']) => boolean
  /** Runs only against a base branch (pull requests, base-ref). */
  readonly needsBase?: boolean
}

/** The shared name checks and the tools' rules about names and versions (`goose/bad-name`, `flyway/duplicate-version`). */
const NAME_RULE = /^(?:[a-z-]+\/)?(?:bad-name|(?:ignored|skipped)-name|duplicate-version)$/

const CHECKS: readonly Check[] = [
  { name: 'atlas.sum', covers: (code) => code.startsWith('checksum') || code === 'line-endings' },
  { name: 'names and versions', covers: (code) => NAME_RULE.test(code) },
  {
    name: "the tool's rules",
    covers: (code) => isRuleCode(code) && !NAME_RULE.test(code) && !code.endsWith('/directory-named-sql'),
  },
  {
    name: 'files (no symlinks, binaries or special files)',
    covers: (code) =>
      code === 'symlink' || code === 'binary' || code === 'not-regular' || code.endsWith('/directory-named-sql'),
  },
  { name: 'applied migrations unchanged', covers: (code) => code === 'applied-changed', needsBase: true },
  { name: 'new migrations in order', covers: (code) => code === 'out-of-order', needsBase: true },
]

/** Job-summary markdown: verdict, checks, problems, checksum, and the migrations in the tool's order. */
export function renderSummary(validation: Validation, context: SummaryContext = {}): string {
  const { migrations } = validation
  const problems = validation.problems // the base-branch problems included (withProblems)
  const added = new Set(context.added ?? [])
  const errors = problems.filter(({ severity }) => severity === 'error')
  const verdict = errors.length === 0 ? '✅ valid' : `❌ ${errors.length} error${errors.length === 1 ? '' : 's'}`
  const out: string[] = [
    `### Migrations: ${cell(validation.dir)} (${cell(validation.format)}) — ${verdict}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Migrations | ${migrations.length} |`,
    `| Latest version | ${cell(validation.latestVersion ?? '—')} |`,
    `| Checksum (atlas.sum) | ${code(validation.checksum)} |`,
    '',
    `Checks: ${CHECKS.map(({ name, covers, needsBase }) => {
      if (needsBase && context.baseName === undefined) return `➖ ${name}`
      return `${problems.some((problem) => problem.severity === 'error' && covers(problem.code)) ? '❌' : '✅'} ${name}`
    }).join(' · ')}${context.baseName === undefined ? '' : ` (compared with ${cell(context.baseName)})`}`,
    '',
  ]
  if (problems.length > 0) {
    out.push('| | File | Problem | Fix |', '|---|---|---|---|')
    for (const problem of problems) {
      const icon = problem.severity === 'error' ? '❌' : problem.severity === 'warning' ? '⚠️' : 'ℹ️'
      const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`
      out.push(`| ${icon} | ${code(where)} | ${cell(problem.message)} | ${cell(problem.fix ?? '')} |`)
    }
    out.push('')
  }
  if (validation.uncovered.length > 0) {
    out.push('Shipped in the image but not covered by atlas.sum:', '')
    for (const { name, reason } of validation.uncovered.slice(0, MAX_ROWS)) out.push(`- ${code(name)}: ${cell(reason)}`)
    if (validation.uncovered.length > MAX_ROWS) out.push(`- … ${validation.uncovered.length - MAX_ROWS} more`)
    out.push('')
  }
  if (migrations.length > 0) {
    out.push('| Version | Name | Size |', '|---|---|---:|')
    for (const migration of migrations.slice(0, MAX_ROWS)) {
      const note = `${migration.ignored ? ' (atlas:sum ignore)' : ''}${added.has(migration.name) ? ' 🆕' : ''}`
      out.push(`| ${cell(migration.version ?? '—')} | ${code(migration.name)}${note} | ${size(migration.size)} |`)
    }
    if (migrations.length > MAX_ROWS) out.push(`| … | ${migrations.length - MAX_ROWS} more | |`)
    out.push('')
  }
  return out.join('\n')
}

export interface ImageFacts {
  readonly image: string
  readonly references: readonly string[]
  readonly digest?: string
  readonly imageRef?: string
  readonly pushed: boolean
  readonly builder: string
  readonly cache: string
  readonly files: readonly string[]
  /** Nothing was built: "unchanged since <sha>, re-tagged". */
  readonly unchanged?: string
}

/** The image part of the job summary: what was built, where it went, and how to run it. */
export function renderImageSummary(result: ImageFacts, reason: string, runExample: string): string {
  const ref = result.imageRef ?? result.image
  return [
    `### Image — ${result.unchanged ? `♻️ ${cell(result.unchanged)}` : result.pushed ? '📦 pushed' : '🔨 built, not pushed'}`,
    '',
    '| | |',
    '|---|---|',
    `| Image | ${code(result.image)} |`,
    `| Tags | ${result.references.map(code).join('<br>')} |`,
    `| Digest | ${result.digest ? code(result.digest) : '—'} |`,
    `| Push | ${cell(reason)} |`,
    result.unchanged
      ? `| Builder | none: ${cell(result.unchanged)} (same content key) |`
      : `| Builder | ${cell(result.builder)}, cache ${cell(result.cache)} |`,
    `| Files | ${result.files.length} |`,
    '',
    `Run it: ${code(runExample.replace('IMAGE', ref))}`,
    '',
  ].join('\n')
}
