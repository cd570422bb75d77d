import path from 'node:path'
import { markdownCell, markdownCode, markdownFence } from '../escape.js'
import { isRuleCode, type Problem } from '../check/problems.js'
import type { Migration, Validation } from '../check/validate.js'
import { uncoveredGroups } from './text.js'
import { renderSafetySection } from './safety-section.js'

// Everything in the summary and the PR comment that comes from the repository, git or docker is escaped here.
const cell = markdownCell
const code = markdownCode

/** GitHub's limits: a pull-request comment's body (characters) and a job's step summary (bytes). */
export const COMMENT_LIMIT = 65_536
export const SUMMARY_LIMIT = 1024 * 1024

/** A size limit and how to measure against it (characters for a comment, UTF-8 bytes for the step summary). */
export interface Budget {
  readonly limit: number
  readonly measure: (text: string) => number
}

export const commentBudget = (reserved = 0): Budget => ({ limit: COMMENT_LIMIT - reserved, measure: (t) => t.length })
export const summaryBudget = (reserved = 0): Budget => ({
  limit: SUMMARY_LIMIT - reserved,
  measure: (t) => Buffer.byteLength(t, 'utf8'),
})

/** Directories up to this size are listed as they are; larger ones fold the list into `<details>`. */
const SHOWN_OPEN = 20

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** Where a file of the repository is on GitHub at the commit, for links; undefined when it is not (a path outside). */
export type FileLink = (file: string, line?: number) => string | undefined

/** `https://github.com/OWNER/REPO/blob/SHA/PATH#L3`, each path segment encoded (a `)` or `|` cannot end the link). */
export function blobLink(serverUrl: string, repository: string, sha: string): FileLink {
  return (file, line) => {
    const relative = path.posix.normalize(file.split(path.sep).join('/'))
    if (path.posix.isAbsolute(relative) || relative === '..' || relative.startsWith('../')) return undefined
    const encoded = relative
      .split('/')
      .map((part) => encodeURIComponent(part).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`))
      .join('/')
    return `${serverUrl}/${repository}/blob/${sha}/${encoded}${line === undefined ? '' : `#L${line}`}`
  }
}

export interface SummaryContext {
  /** Migrations the pull request adds (marked 🆕). */
  readonly added?: readonly string[]
  /** What the base-branch checks compared with; undefined when they did not run. */
  readonly baseName?: string
  /** Links the files to the commit; without it, paths are plain. */
  readonly link?: FileLink
  /** What failed after the validation (the image): the heading says so too. */
  readonly failed?: string
}

interface Check {
  readonly name: string
  readonly covers: (code: Problem['code']) => boolean
  /** Runs only against a base branch (pull requests, base-ref). */
  readonly needsBase?: boolean
  /** Why the check has nothing to judge here (then ➖ with the reason, not a ✅ over nothing). */
  readonly vacuous?: (validation: Validation) => string | undefined
}

/** The shared name checks and the tools' rules about names and versions (`goose/bad-name`, `flyway/duplicate-version`). */
const NAME_RULE = /^(?:[a-z-]+\/)?(?:bad-name|(?:ignored|skipped)-name|duplicate-version)$/

const CHECKS: readonly Check[] = [
  {
    name: 'atlas.sum matches the files',
    covers: (code) => code.startsWith('checksum') || code === 'line-endings',
    // Nothing to match: say so rather than a ✅ over no file (the files shipped are listed below).
    vacuous: (validation) =>
      validation.entries.length === 0
        ? `it covers no file (Atlas's ${cell(validation.format)} format hashes none of these)`
        : undefined,
  },
  { name: 'names and versions', covers: (code) => NAME_RULE.test(code) },
  {
    name: "the tool's own rules",
    covers: (code) => isRuleCode(code) && !NAME_RULE.test(code) && !code.endsWith('/directory-named-sql'),
  },
  {
    name: 'plain files (no symlinks, binaries or special files)',
    covers: (code) =>
      code === 'symlink' || code === 'binary' || code === 'not-regular' || code.endsWith('/directory-named-sql'),
  },
  { name: 'applied migrations unchanged', covers: (code) => code === 'applied-changed', needsBase: true },
  { name: 'new migrations in order', covers: (code) => code === 'out-of-order', needsBase: true },
]

const ICON: Record<Problem['severity'], string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' }

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

/** The validation verdict: `✅ valid` or `❌ 2 errors`. */
export function verdict(validation: Validation): string {
  const errors = validation.problems.filter(({ severity }) => severity === 'error').length
  return errors === 0 ? '✅ valid' : `❌ ${plural(errors, 'error')}`
}

/** `path:line` as code, linked to the file at the commit when there is a link. */
function fileCell(problem: Pick<Problem, 'file' | 'line'>, link?: FileLink): string {
  const where = code(problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`)
  return linked(where, link?.(problem.file, problem.line))
}

/** `text` as a markdown link to `url`, or as it is without one. */
const linked = (text: string, url: string | undefined): string => (url ? `[${text}](${url})` : text)

/**
 * Job-summary (and comment) markdown for the validation: the verdict, the facts, the checks, every problem, what
 * atlas.sum does not cover, and the migrations — the new and the faulty ones always in view, the rest folded — within
 * the budget whatever the directory's size (rows that do not fit are counted instead).
 */
export function renderSummary(validation: Validation, context: SummaryContext = {}, budget?: Budget): string {
  const { migrations } = validation
  // Deploy safety's findings have a section of their own (below); the table holds the directory's problems.
  const problems = validation.problems.filter(({ code }) => !code.startsWith('safety/'))
  const added = new Set(context.added ?? [])
  const unsafe = (validation.safety?.findings ?? []).filter(({ severity }) => severity === 'warning').length
  const heading = `### Migrations: ${cell(validation.dir)} (${cell(validation.format)}) — ${verdict(validation)}${
    unsafe > 0 ? ` · ⚠️ ${plural(unsafe, 'deploy-safety warning')}` : ''
  }${context.failed ? ` · ❌ ${cell(context.failed)}` : ''}`
  const facts = `**${plural(validation.count, validation.countUnit)}** · latest version ${
    validation.latestVersion === undefined ? '—' : code(validation.latestVersion)
  } · ${validation.entries.length === 0 ? 'atlas.sum covers no file' : `atlas.sum ${code(validation.checksum)}`}`
  const skipped = CHECKS.some(({ needsBase }) => needsBase) && context.baseName === undefined
  const checks = [
    context.baseName === undefined ? 'Checks:' : `Checks (compared with ${cell(context.baseName)}):`,
    '',
    ...CHECKS.map(({ name, covers, needsBase, vacuous }) => {
      if (needsBase && context.baseName === undefined) return `- ➖ ${name}`
      const failed = problems.some((problem) => problem.severity === 'error' && covers(problem.code))
      const why = failed ? undefined : vacuous?.(validation)
      if (why !== undefined) return `- ➖ ${name}: ${why}`
      return `- ${failed ? '❌' : '✅'} ${name}`
    }),
    ...(skipped ? ['', '➖ not run: these compare with a base branch (pull requests, or the base-ref input).'] : []),
  ]
  const head = [heading, '', facts, '', ...checks, ''].join('\n')

  const uncovered = uncoveredGroups(validation).flatMap(({ reason, names }) => [
    `ℹ️ ${plural(names.length, 'file')} shipped in the image ${names.length === 1 ? 'is' : 'are'} not covered by atlas.sum: ${cell(reason)}.`,
    '',
    names.length === 1
      ? `- ${code(names[0])}`
      : `<details><summary>The ${names.length} files</summary>\n\n${names.map((name) => `- ${code(name)}`).join('\n')}\n\n</details>`,
    '',
  ])

  const faulty = new Set(problems.map(({ file }) => file))
  const row = (migration: Migration): string => {
    const note = `${migration.ignored ? ' (atlas:sum ignore)' : ''}${added.has(migration.name) ? ' 🆕' : ''}`
    const name = linked(code(migration.name), context.link?.(path.join(validation.dir, migration.name)))
    return `| ${cell(migration.version ?? '—')} | ${name}${note} | ${size(migration.size)} |`
  }
  const header = ['| Version | Name | Size |', '|---|---|---:|']
  const inView = migrations.filter(
    ({ name }) => added.has(name) || faulty.has(path.join(validation.dir, name)) || faulty.has(name),
  )
  const fold = migrations.length > SHOWN_OPEN

  // What is always shown first; the rows of the long lists then go in as far as the budget allows (measured as they
  // go: a 100,000-migration directory is not re-measured per row).
  const out: string[] = [head]
  let used = budget ? budget.measure(head) : 0
  const cost = (lines: readonly string[]): number =>
    budget ? lines.reduce((sum, line) => sum + budget.measure(line) + 1, 0) : 0
  const room = (lines: readonly string[]): boolean => budget === undefined || used + cost(lines) <= budget.limit
  const push = (lines: readonly string[]): void => {
    used += cost(lines)
    out.push(...lines)
  }
  const addRows = (rows: readonly string[], before: string[], after: (left: number) => string[]): void => {
    if (!room([...before, ...after(rows.length), ...RESERVE])) return
    push(before)
    let index = 0
    for (; index < rows.length; index++) {
      if (!room([rows[index], ...after(rows.length - index - 1), ...RESERVE])) break
      push([rows[index]])
    }
    push(after(rows.length - index))
  }
  const more = (left: number, what: string, cells: number): string[] =>
    left === 0 ? [] : [`| … | ${left} more ${what}${' |'.repeat(cells - 1)}`]

  if (problems.length > 0) {
    addRows(
      problems.map(
        (problem) =>
          `| ${ICON[problem.severity]} | ${fileCell(problem, context.link)} | ${cell(problem.message)} | ${cell(problem.fix ?? '')} |`,
      ),
      ['| | File | Problem | Fix |', '|---|---|---|---|'],
      (left) => [...more(left, 'problems: see the annotations and the log', 4), ''],
    )
  }
  if (validation.safety) {
    const dir = validation.dir
    const section = renderSafetySection(
      validation.safety,
      { dir, link: context.link, baseName: context.baseName },
      (lines) => room([...lines, ...RESERVE]),
    )
    push(section)
  }
  if (room([...uncovered, ...RESERVE])) push(uncovered)
  if (migrations.length > 0 && fold && inView.length > 0) {
    const title = added.size > 0 ? 'New in this pull request' : 'Migrations with problems'
    addRows(inView.map(row), [`${title}:`, '', ...header], () => [''])
  }
  if (migrations.length > 0) {
    const open = fold ? [`<details><summary>All ${migrations.length} migrations</summary>`, ''] : []
    const close = fold ? ['', '</details>', ''] : ['']
    addRows(migrations.map(row), [...open, ...header], (left) => [
      ...more(left, "migrations: 'migration-image validate DIR --json' lists them all", 3),
      ...close,
    ])
  }
  return out.join('\n')
}

/** Room kept for the lines a cut list ends with. */
const RESERVE = [
  `| … | 9999999 more migrations: 'migration-image validate DIR --json' lists them all | |`,
  '',
  '</details>',
  '',
]

export interface ImageFacts {
  readonly image: string
  readonly references: readonly string[]
  readonly digest?: string
  readonly imageRef?: string
  readonly pushed: boolean
  readonly builder: string
  readonly cache: string
  /** Nothing was built: "unchanged since <sha>, re-tagged". */
  readonly unchanged?: string
}

export interface ImageContext {
  /** Why it was pushed or not. */
  readonly reason: string
  /** The preset's `docker run … IMAGE …`. */
  readonly runExample: string
  /** The CLI command that builds the same image locally (shown when nothing was pushed). */
  readonly buildLocally: string
}

/** The image part of the job summary: what was built, where it went, and how to run it (commands to copy). */
export function renderImageSummary(result: ImageFacts, context: ImageContext): string {
  const ref = result.imageRef ?? result.image
  const status = result.unchanged
    ? `♻️ ${cell(result.unchanged)}`
    : result.pushed
      ? '📦 pushed'
      : '🔨 built, not pushed'
  const tags = result.references.length === 1 && result.references[0] === result.image ? [] : result.references
  const lines = [
    `### Image — ${status}`,
    '',
    `- Image: ${code(result.image)}`,
    ...(tags.length > 0 ? [`- Tags: ${tags.map(code).join(', ')}`] : []),
    ...(result.digest ? [`- Digest: ${code(result.digest)}`] : []),
    `- Push: ${cell(context.reason)}`,
    result.unchanged
      ? `- Builder: none, ${cell(result.unchanged)} (same content key)`
      : `- Builder: ${cell(result.builder)}, cache ${cell(result.cache)}`,
    '',
  ]
  if (result.pushed) {
    lines.push('Run it:', '', markdownFence(context.runExample.replace('IMAGE', ref)), '')
  } else {
    lines.push(
      'Nothing was pushed, so there is no image to pull. To build it on your machine and run it:',
      '',
      markdownFence(`${context.buildLocally}\n${context.runExample.replace('IMAGE', ref)}`),
      '',
    )
  }
  return lines.join('\n')
}

export interface FailureFacts {
  /** What failed, as the heading says it: `image build or push failed`. */
  readonly title: string
  readonly message: string
  readonly fix?: string
  /** References that reached the registry before the failure. */
  readonly pushed?: readonly string[]
}

/** A failure after the validation passed: its own ❌ section with the error, last, as the run ended. */
export function renderFailure(failure: FailureFacts): string {
  return [
    `### Image — ❌ ${cell(failure.title)}`,
    '',
    markdownFence(failure.message),
    '',
    ...(failure.fix ? [`Fix: ${cell(failure.fix)}`, ''] : []),
    ...(failure.pushed && failure.pushed.length > 0
      ? [`Pushed before the failure: ${failure.pushed.map(code).join(', ')}`, '']
      : []),
    'The job failed: the image was not published as asked.',
    '',
  ].join('\n')
}

/** How long each step took, as build-push-action's summary shows its build's duration. */
export function renderDurations(durations: readonly (readonly [string, number])[]): string {
  if (durations.length === 0) return ''
  return `⏱️ ${durations.map(([step, ms]) => `${step} ${seconds(ms)}`).join(' · ')}\n`
}

export function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`
}
