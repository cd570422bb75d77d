import path from 'node:path'
import * as core from '@actions/core'
import { renderApplySection } from '../core/report/apply-section.js'
import { formatLocated } from '../core/errors.js'
import type { Problem } from '../core/check/problems.js'
import { ACTION_NAMES } from '../core/option-names.js'
import { renderImageSummary, renderSummary } from '../core/report/summary.js'
import type { Outcome } from '../io/pipeline.js'
import type { ActionRun } from './inputs.js'
import { info } from './log.js'
import { commentMarker, upsertComment } from './pr-comment.js'

/** One annotation per problem, on its file and line. */
export function annotate(problem: Problem): void {
  const text = formatLocated(problem.message, { fix: problem.fix }, ACTION_NAMES)
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` }
  if (problem.severity === 'error') core.error(text, where)
  else if (problem.severity === 'warning') core.warning(text, where)
  else core.notice(text, where)
}

/** The outputs action.yml declares; the image ones only when an image was built. */
export function setOutputs(outcome: Outcome): void {
  const { validation, image } = outcome
  core.setOutput('checksum', validation.checksum)
  core.setOutput('count', String(validation.migrations.length))
  core.setOutput('latest-version', validation.latestVersion ?? '')
  core.setOutput('valid', String(validation.valid))
  core.setOutput('pushed', String(image?.pushed ?? false))
  if (!image) return
  core.setOutput('image', image.image)
  core.setOutput('tags', image.references.join('\n'))
  core.setOutput('digest', image.digest ?? '')
  core.setOutput('image-ref', image.imageRef ?? '')
}

/** The job summary (and the same markdown for the pull request comment). */
export function summaryOf(run: ActionRun, outcome: Outcome): string {
  const base = outcome.base
  const checks = renderSummary(outcome.validation, base ? { added: base.added, baseName: base.name } : {})
  if (!outcome.image || !run.request.image) return checks
  const image = `${checks}\n${renderImageSummary(outcome.image, run.request.image.pushReason, outcome.preset.runExample)}`
  if (!outcome.apply) return image
  return `${image}\n${renderApplySection(outcome.apply, { dir: run.request.check.dir, baseName: base?.name })}`
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
export async function comment(run: ActionRun, body: string): Promise<void> {
  const { context } = run
  if (!run.comment || context.pullRequestNumber === undefined) return
  if (context.fromFork) {
    core.notice('pull request from a fork: its token is read-only, so no comment (the job summary has the report)')
    return
  }
  const [owner, repo] = context.repository.split('/')
  try {
    const done = await upsertComment(
      {
        token: run.comment.token,
        owner,
        repo,
        issueNumber: context.pullRequestNumber,
        marker: commentMarker(run.request.check.dir, run.request.check.tool),
      },
      body,
    )
    info(`pull request comment ${done}`)
  } catch (error) {
    core.notice(
      `could not comment on the pull request (${error instanceof Error ? error.message : String(error)}); give the job 'permissions: pull-requests: write' to get the comment`,
    )
  }
}
