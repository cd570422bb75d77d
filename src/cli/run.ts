import { tmpdir } from 'node:os'
import { formatLocated, MigrationImageError, UsageError } from '../core/errors.js'
import { CLI_NAMES } from '../core/option-names.js'
import { formatProblem, renderValidationText, validationJson } from '../core/report/text.js'
import { renderApplyText } from '../core/report/apply-section.js'
import { parseCliArgs } from './args.js'
import { commandHelp, usage } from './help.js'
import { stderrLog } from './log.js'
import { cleanUp, MemoryCleanupStore } from '../io/cleanup.js'
import { DockerMissingError } from '../io/docker.js'
import { runPipeline } from '../io/pipeline.js'

declare const MIGRATION_IMAGE_VERSION: string

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
  /** The password for --username: stdin, or a prompt at a terminal. */
  password: () => string
}

/** The CLI: argv → the request → the pipeline → text (or JSON) on stdout, progress on stderr; the exit code. */
export async function runCli(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await run(argv, io, env)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${formatLocated(error.message, error, CLI_NAMES)}\nRun 'migration-image --help' for usage.\n`)
      return 2
    }
    if (error instanceof DockerMissingError) {
      io.err(`error: ${formatLocated(error.message, error, CLI_NAMES)}\n`)
      return 3
    }
    if (error instanceof MigrationImageError) {
      io.err(`error: ${formatLocated(error.message, error, CLI_NAMES)}\n`)
      return 1
    }
    throw error
  }
}

async function run(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseCliArgs(argv, { env, readPassword: io.password })
  if (args.kind === 'help') {
    io.out(args.command ? commandHelp(args.command) : usage())
    return 0
  }
  if (args.kind === 'version') {
    io.out(`${MIGRATION_IMAGE_VERSION}\n`)
    return 0
  }
  const { request } = args
  const log = stderrLog(io.err, env)
  const cleanup = new MemoryCleanupStore()
  try {
    const outcome = await runPipeline(request, { log, cleanup, env, tempDir: tmpdir() })
    const { validation } = outcome
    if (request.command === 'hash') {
      if (outcome.wrote === undefined) {
        for (const problem of validation.unhashable) io.err(`${formatProblem(problem)}\n`)
        io.err(`atlas.sum was not written: fix ${validation.unhashable.length === 1 ? 'this' : 'these'} first\n`)
        return 1
      }
      for (const problem of validation.problems) {
        if (!problem.code.startsWith('checksum') && problem.code !== 'line-endings')
          io.err(`${formatProblem(problem)}\n`)
      }
      io.out(`wrote ${outcome.wrote} (${validation.entries.length} entries, ${validation.checksum})\n`)
      return 0
    }
    if (request.command === 'validate' && args.json) {
      io.out(`${JSON.stringify(validationJson(validation), null, 2)}\n`)
      return validation.valid ? 0 : 1
    }
    if (!validation.valid) {
      io.err(renderValidationText(validation))
      if (request.command !== 'validate') io.err('nothing was built\n')
      return 1
    }
    if (request.command === 'validate') {
      if (validation.migrations.length === 0)
        log.notice(`${request.check.dir} holds no migrations for ${outcome.preset.tool}`)
      io.out(renderValidationText(validation))
      return 0
    }
    if (request.command === 'dockerfile') {
      io.out(outcome.dockerfile ?? '')
      return 0
    }
    if (outcome.failure !== undefined) throw outcome.failure
    const image = outcome.image
    if (!image) return 1
    if (outcome.apply) {
      io.out(renderApplyText(outcome.apply, request.check.dir))
      return outcome.apply.ok ? 0 : 1
    }
    const verb = image.unchanged ? `${image.unchanged}:` : image.pushed ? 'pushed' : image.archive ? 'wrote' : 'built'
    const what = image.archive ? `${image.archive} (${image.references.join(' ')})` : image.references.join(' ')
    io.out(`${verb} ${what}${image.digest ? ` (${image.digest})` : ''}\n`)
    return 0
  } finally {
    await cleanUp(cleanup.state, env)
  }
}
