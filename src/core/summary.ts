import type { Validation } from './validate.js'

const MAX_ROWS = 200

const cell = (text: string): string =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
const code = (text: string): string => `<code>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Job-summary markdown: verdict, problems, checksum, and the migrations in the tool's order. */
export function renderSummary(validation: Validation): string {
  const { migrations, problems } = validation
  const errors = problems.filter(({ severity }) => severity === 'error')
  const verdict = validation.valid ? '✅ valid' : `❌ ${errors.length} error${errors.length === 1 ? '' : 's'}`
  const out: string[] = [
    `### Migrations: ${cell(validation.dir)} (${validation.format}) — ${verdict}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Migrations | ${migrations.length} |`,
    `| Latest version | ${validation.latestVersion ?? '—'} |`,
    `| Checksum (atlas.sum) | ${code(validation.checksum)} |`,
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
  if (migrations.length > 0) {
    out.push('| Version | Name | Size |', '|---|---|---:|')
    for (const migration of migrations.slice(0, MAX_ROWS)) {
      const note = migration.ignored ? ' (atlas:sum ignore)' : ''
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
}

/** The image part of the job summary: what was built, where it went, and how to run it. */
export function renderImageSummary(result: ImageFacts, reason: string, runExample: string): string {
  const ref = result.imageRef ?? result.image
  return [
    `### Image — ${result.pushed ? '📦 pushed' : '🔨 built, not pushed'}`,
    '',
    '| | |',
    '|---|---|',
    `| Image | ${code(result.image)} |`,
    `| Tags | ${result.references.map(code).join('<br>')} |`,
    `| Digest | ${result.digest ? code(result.digest) : '—'} |`,
    `| Push | ${cell(reason)} |`,
    `| Builder | ${cell(result.builder)}, cache ${cell(result.cache)} |`,
    `| Files | ${result.files.length} |`,
    '',
    `Run it: ${code(runExample.replace('IMAGE', ref))}`,
    '',
  ].join('\n')
}
