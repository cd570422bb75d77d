import { randomBytes } from 'node:crypto'
import { fenceCommands, mayHoldCommand, showName } from '../core/escape.js'
import type { Log } from '../io/log.js'

/**
 * Progress and docker output go to stderr; stdout carries only the result. In a workflow step (GITHUB_ACTIONS) the
 * runner parses stderr for `::` commands too, so docker's output and any message quoting foreign text are fenced.
 */
export function stderrLog(err: (text: string) => void, env: NodeJS.ProcessEnv): Log {
  const inRunner = env.GITHUB_ACTIONS === 'true'
  const token = (): string => randomBytes(16).toString('hex')
  const line = (text: string): void =>
    err(inRunner && mayHoldCommand(text) ? fenceCommands(text, token()) : `${showName(text)}\n`)
  let last = '\n'
  return {
    info: (message) => line(message),
    notice: (message) => line(`notice: ${message}`),
    warning: (message) => line(`warning: ${message}`),
    output: (chunk) => {
      if (chunk.length === 0) return
      err(chunk)
      last = chunk
    },
    group: async (title, run) => {
      err(`--- ${title}\n`)
      const fence = inRunner ? token() : undefined
      if (fence) err(`::stop-commands::${fence}\n`)
      last = '\n'
      try {
        return await run()
      } finally {
        // What follows starts on its own line, whatever docker's output ended with.
        err(`${last.endsWith('\n') ? '' : '\n'}${fence ? `::${fence}::\n` : ''}`)
      }
    },
  }
}
