import * as core from '@actions/core'
import { cleanUp, CLEANUP_STATE, trustedCleanup } from '../io/cleanup.js'

/**
 * Post step: log out, remove the builder this run created and the private docker config — also after a failure.
 * The saved state is checked first: anything this run could not have created is ignored with a warning.
 */
export async function post(): Promise<void> {
  const saved = core.getState(CLEANUP_STATE)
  if (!saved) return
  try {
    let parsed: unknown
    try {
      parsed = JSON.parse(saved)
    } catch {
      parsed = undefined
    }
    const { state, ignored } = trustedCleanup(parsed, process.env.RUNNER_TEMP)
    for (const why of ignored) core.warning(`cleanup: ignored ${why}`)
    for (const line of await cleanUp(state, process.env)) core.info(line)
  } catch (error) {
    core.warning(`cleanup: ${error instanceof Error ? error.message : String(error)}`)
  }
}
