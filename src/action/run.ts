import { tmpdir } from 'node:os'
import * as core from '@actions/core'
import { formatLocated, MigrationImageError } from '../core/errors.js'
import { runnerPath } from '../core/github/event.js'
import { ACTION_NAMES } from '../core/option-names.js'
import { commentBudget, summaryBudget } from '../core/report/summary.js'
import { verdictLine } from '../core/report/text.js'
import { readActionInputs, type ActionRun } from './inputs.js'
import { actionLog, info } from './log.js'
import { annotateAll, annotateApply, annotateSafety, comment, errorSummary, setOutputs, summaryOf } from './report.js'
import { CLEANUP_STATE, type CleanupState, type CleanupStore } from '../io/cleanup.js'
import { runPipeline } from '../io/pipeline.js'
import { PushError } from '../io/publish.js'

/** The action's cleanup store: the saved state the post step reads back (as STATE_cleanup). */
class SavedState implements CleanupStore {
  private readonly state: CleanupState = {}
  add(part: CleanupState): void {
    Object.assign(this.state, part)
    core.saveState(CLEANUP_STATE, JSON.stringify(this.state))
  }
}

/** The action: inputs → the pipeline → outputs, annotations, summary, comment. The only setFailed is here. */
export async function run(): Promise<void> {
  let action: ActionRun | undefined
  let reported = false
  try {
    action = readActionInputs()
    // With the apply check on, deploy safety's findings are annotated once the database has measured them.
    const safetyLater = action.request.apply !== undefined && action.request.image !== undefined
    if (action.lowercased) core.notice(`image name lowercased to ${action.lowercased} (registries reject uppercase)`)
    const outcome = await runPipeline(action.request, {
      log: actionLog,
      cleanup: new SavedState(),
      env: process.env,
      tempDir: runnerPath(process.env, 'RUNNER_TEMP') ?? tmpdir(),
      // The verdict and the problems first, before any docker output.
      validated: (validation) => {
        info(verdictLine(validation))
        annotateAll(validation, { laterSafety: safetyLater })
      },
    })
    if (safetyLater) annotateSafety(outcome.validation)
    setOutputs(outcome)
    const { image } = outcome
    if (image?.pushed) info(`pushed ${image.references.join(' ')}${image.digest ? ` (${image.digest})` : ''}`)
    annotateApply(outcome, action.request.check.dir)
    const current = action
    core.summary.addRaw(summaryOf(current, outcome, summaryBudget(SUMMARY_ROOM)), true)
    await core.summary.write()
    reported = true
    await comment(current, (reserved) => summaryOf(current, outcome, commentBudget(reserved)))
    if (!outcome.validation.valid) core.setFailed(`${verdictLine(outcome.validation)}; nothing was built or pushed`)
    if (outcome.failure !== undefined) throw outcome.failure
    if (outcome.apply && !outcome.apply.ok)
      core.setFailed('the apply check failed: see the annotations and the summary')
  } catch (error) {
    if (error instanceof PushError) {
      // Some tags reached the registry: the outputs say which, even though the step fails.
      core.setOutput('tags', error.pushed.join('\n'))
      core.setOutput('pushed', String(error.pushed.length > 0))
    }
    if (error instanceof MigrationImageError && error.file !== undefined) {
      // One annotation, on the file; the step fails through the exit code.
      core.error(formatLocated(error.message, { fix: error.fix }, ACTION_NAMES), {
        file: error.file,
        startLine: error.line,
      })
      process.exitCode = core.ExitCode.Failure
    } else if (error instanceof MigrationImageError) {
      core.setFailed(formatLocated(error.message, error, ACTION_NAMES))
    } else {
      core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
    // A run that stopped before its report still says so, in the summary and (on a pull request) the comment.
    if (!reported) {
      core.summary.addRaw(errorSummary(action, error), true)
      await core.summary.write().catch(() => undefined)
      if (action) await comment(action, () => errorSummary(action, error)).catch(() => undefined)
    } else {
      await core.summary.write().catch(() => undefined)
    }
  }
}

/** Room left in the step summary for what other steps of the job write (GitHub's limit is per step). */
const SUMMARY_ROOM = 16 * 1024
