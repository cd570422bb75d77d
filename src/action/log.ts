import { randomBytes } from 'node:crypto'
import * as core from '@actions/core'
import { fenceCommands, mayHoldCommand } from '../core/escape.js'
import type { Log } from '../io/log.js'

/** A fresh, unguessable token for one `::stop-commands::` fence. */
export const fenceToken = (): string => randomBytes(16).toString('hex')

/**
 * Text that may hold foreign parts (names, refs, git or docker output) for the log. The runner reads a line that
 * starts with `::` as a command; such text is fenced so it is printed, never run. (core.warning/error/notice escape
 * their message themselves: it stays on one line.)
 */
export function info(text: string): void {
  if (mayHoldCommand(text)) process.stdout.write(fenceCommands(text, fenceToken()))
  else core.info(text)
}

let lastOutput = '\n'

/** The pipeline's log in the Actions log: notices and warnings as annotations, docker's output in fenced groups. */
export const actionLog: Log = {
  info,
  notice: (message) => core.notice(message),
  warning: (message) => core.warning(message),
  output: (chunk) => {
    if (chunk.length === 0) return
    process.stdout.write(chunk)
    lastOutput = chunk
  },
  // Docker's output streams inside the group: the whole group is one fenced block.
  group: (title, run) =>
    core.group(title, async () => {
      const token = fenceToken()
      process.stdout.write(`::stop-commands::${token}\n`)
      lastOutput = '\n'
      try {
        return await run()
      } finally {
        process.stdout.write(`${lastOutput.endsWith('\n') ? '' : '\n'}::${token}::\n`)
      }
    }),
}
