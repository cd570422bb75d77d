import { tmpdir } from 'node:os'
import * as core from '@actions/core'
import { formatLocated, MigrationImageError } from '../core/errors.js'
import { fenceCommands } from '../core/escape.js'
import { runnerPath } from '../core/github/event.js'
import { ACTION_NAMES } from '../core/option-names.js'
import { atlasChecksumBlock, verdictLine } from '../core/report/text.js'
import { readActionInputs, type ActionRun } from './inputs.js'
import { actionLog, fenceToken, info } from './log.js'
import { annotate, annotateApply, comment, setOutputs, summaryOf } from './report.js'
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
  try {
    action = readActionInputs()
    if (action.lowercased) core.notice(`image name lowercased to ${action.lowercased} (registries reject uppercase)`)
    const outcome = await runPipeline(action.request, {
      log: actionLog,
      cleanup: new SavedState(),
      env: process.env,
      tempDir: runnerPath(process.env, 'RUNNER_TEMP') ?? tmpdir(),
    })
    setOutputs(outcome)
    // Atlas's block quotes a name from atlas.sum: foreign text, always fenced.
    const block = atlasChecksumBlock(outcome.validation)
    if (block) process.stdout.write(fenceCommands(block, fenceToken()))
    for (const problem of outcome.validation.problems) annotate(problem)
    annotateApply(outcome, action.request.check.dir)
    const summary = summaryOf(action, outcome)
    core.summary.addRaw(summary, true)
    await core.summary.write()
    await comment(action, summary)
    if (!outcome.validation.valid) core.setFailed(`${verdictLine(outcome.validation)}; nothing was built or pushed`)
    else info(verdictLine(outcome.validation))
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
    await core.summary.write().catch(() => undefined)
  }
}
