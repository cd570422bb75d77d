import path from 'node:path'
import * as core from '@actions/core'
import { formatLocated, MigrationImageError } from '../core/errors.js'
import { renderApplySection } from '../core/report/apply-section.js'
import type { Problem } from '../core/check/problems.js'
import type { Validation } from '../core/check/validate.js'
import { markdownCell, markdownFence } from '../core/escape.js'
import { ACTION_NAMES } from '../core/option-names.js'
import {
  blobLink,
  renderDurations,
  renderFailure,
  renderImageSummary,
  renderSummary,
  type Budget,
  type FileLink,
} from '../core/report/summary.js'
import { bySeverity } from '../core/report/text.js'
import type { Outcome } from '../io/pipeline.js'
import { PushError } from '../io/publish.js'
import type { ActionRun } from './inputs.js'
import { info } from './log.js'
import { commentMarker, upsertComment, whyNoComment } from './pr-comment.js'

/** One annotation per problem, on its file and the line its message names. */
export function annotate(problem: Problem): void {
  const text = formatLocated(problem.message, { fix: problem.fix }, ACTION_NAMES)
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` }
  if (problem.severity === 'error') core.error(text, where)
  else if (problem.severity === 'warning') core.warning(text, where)
  else core.notice(text, where)
}

/**
 * Every problem as an annotation, errors first, then warnings, then notices; an outdated atlas.sum also marks the
 * migration whose hash changed, where the edit is.
 */
export function annotateAll(validation: Validation, options: { readonly laterSafety?: boolean } = {}): void {
  const now = options.laterSafety
    ? validation.problems.filter(({ code }) => !code.startsWith('safety/'))
    : validation.problems
  for (const problem of bySeverity(now)) annotate(problem)
  const { difference } = validation
  if (difference && difference.change !== 'removed' && validation.problems.some((p) => p.code === 'checksum-changed')) {
    core.notice(
      `this file's hash is not the one atlas.sum line ${difference.line} holds (it was ${difference.change}): see the atlas.sum error`,
      { file: path.join(validation.dir, difference.name), title: 'migration-image (checksum-changed)' },
    )
  }
}

/**
 * Deploy safety's annotations when the apply check measured them (held back from the verdict's: a finding the
 * database disproved is not annotated, and one only the database found is).
 */
export function annotateSafety(validation: Validation): void {
  for (const problem of bySeverity(validation.problems.filter(({ code }) => code.startsWith('safety/'))))
    annotate(problem)
}

/** The outputs action.yml declares; the image ones only when an image was built. */
export function setOutputs(outcome: Outcome): void {
  const { validation, image } = outcome
  core.setOutput('checksum', validation.checksum)
  core.setOutput('count', String(validation.count))
  core.setOutput('latest-version', validation.latestVersion ?? '')
  core.setOutput('valid', String(validation.valid))
  core.setOutput('pushed', String(image?.pushed ?? false))
  if (!image) return
  core.setOutput('image', image.image)
  core.setOutput('tags', image.references.join('\n'))
  core.setOutput('digest', image.digest ?? '')
  core.setOutput('image-ref', image.imageRef ?? '')
}

/** Links to the files at the commit the run checked (the pull request's head on pull requests). */
export function fileLink(run: ActionRun): FileLink | undefined {
  const { context } = run
  const sha = context.pullRequestHeadSha ?? context.sha
  if (!context.repository || !sha || !context.serverUrl) return undefined
  return blobLink(context.serverUrl, context.repository, sha)
}

/** `migration-image build DIR --tool T --image NAME:TAG`: the same image, on the reader's machine. */
function buildLocally(run: ActionRun, reference: string): string {
  const quote = (word: string): string => (/^[\w./:@=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)
  const { dir, tool } = run.request.check
  return ['migration-image', 'build', quote(dir), ...(tool === 'atlas' ? [] : ['--tool', tool]), '--image', reference]
    .map((word, index) => (index < 2 ? word : quote(word)))
    .join(' ')
}

/**
 * The job summary, or the pull request's comment (the same report, each within its own GitHub limit): the
 * validation, then what happened to the image — built, pushed, or its failure with the error — and how long each
 * step took. The report ends in the run's real outcome.
 */
export function summaryOf(run: ActionRun, outcome: Outcome, budget?: Budget): string {
  const base = outcome.base
  const failed = outcome.failure ? 'image build or push failed' : undefined
  const after: string[] = []
  if (outcome.image && run.request.image) {
    after.push(
      renderImageSummary(outcome.image, {
        reason: run.request.image.pushReason,
        runExample: outcome.preset.runExample,
        buildLocally: buildLocally(run, outcome.image.image),
      }),
    )
  }
  if (outcome.failure) {
    const error = outcome.failure
    after.push(
      renderFailure({
        title: failed!,
        message: error.message,
        fix: error instanceof MigrationImageError && error.fix ? error.fix : undefined,
        pushed: error instanceof PushError ? error.pushed : undefined,
      }),
    )
  }
  if (outcome.apply) after.push(renderApplySection(outcome.apply, { dir: run.request.check.dir, baseName: base?.name }))
  const { durations } = outcome
  after.push(
    renderDurations([
      ['validate', durations.validate],
      ...(durations.base === undefined ? [] : ([['base check', durations.base]] as const)),
      ...(durations.image === undefined ? [] : ([['image', durations.image]] as const)),
      ...(durations.apply === undefined ? [] : ([['apply check', durations.apply]] as const)),
    ]),
  )
  const tail = after.join('\n')
  const room = budget && { ...budget, limit: budget.limit - budget.measure(tail) - 1 }
  const checks = renderSummary(
    outcome.validation,
    { added: base?.added, baseName: base?.name, link: fileLink(run), failed },
    room,
  )
  return `${checks}\n${tail}`
}

/** The report of a run that stopped before it had a validation to show (a missing directory, no base commit). */
export function errorSummary(run: ActionRun | undefined, error: unknown): string {
  const dir = run?.request.check.dir
  const message = error instanceof Error ? error.message : String(error)
  const where = error instanceof MigrationImageError && error.file !== undefined ? `${error.file}: ` : ''
  const fix =
    error instanceof MigrationImageError && error.fix ? formatLocated('', { fix: error.fix }, ACTION_NAMES) : ''
  return [
    `### Migrations${dir === undefined ? '' : `: ${markdownCell(dir)}`} — ❌ not checked`,
    '',
    markdownFence(`${where}${message}`),
    '',
    ...(fix ? [`Fix: ${markdownCell(fix.replace(/^ — /, ''))}`, ''] : []),
    'Nothing was built or pushed.',
    '',
  ].join('\n')
}

/** One annotation per apply-check failure, on the migration file and line the tool's output named. */
export function annotateApply(outcome: Outcome, dir: string): void {
  for (const failure of outcome.apply?.failures ?? []) {
    const file = failure.file === undefined ? undefined : path.posix.join(dir, failure.file)
    core.error(failure.message, {
      file,
      startLine: file === undefined ? undefined : failure.line,
      title: `migration-image apply check (${failure.title})`,
    })
  }
}

/** The PR comment (comment: true): one per directory and tool, updated on every run; never fails the step. */
export async function comment(run: ActionRun, body: (reserved: number) => string): Promise<void> {
  const { context } = run
  if (!run.comment || context.pullRequestNumber === undefined) return
  if (context.fromFork) {
    core.notice('pull request from a fork: its token is read-only, so no comment (the job summary has the report)')
    return
  }
  const [owner, repo] = context.repository.split('/')
  const marker = commentMarker(run.request.check.dir, run.request.check.tool)
  try {
    const done = await upsertComment(
      { token: run.comment.token, owner, repo, issueNumber: context.pullRequestNumber, marker },
      body(marker.length + 1),
    )
    info(`pull request comment ${done}`)
  } catch (error) {
    core.warning(`no pull request comment: ${whyNoComment(error)} (the job summary has the report)`)
  }
}
