import * as core from '@actions/core'
import { cleanUp, CLEANUP_STATE, type CleanupState } from './publish/cleanup.js'

/** Post step: log out, remove the builder this run created and the private docker config — also after a failure. */
export async function post(): Promise<void> {
  const saved = core.getState(CLEANUP_STATE)
  if (!saved) return
  try {
    for (const line of await cleanUp(JSON.parse(saved) as CleanupState, process.env)) core.info(line)
  } catch (error) {
    core.warning(`cleanup: ${error instanceof Error ? error.message : String(error)}`)
  }
}
