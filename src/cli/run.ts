import { showName } from '../core/escape.js'
import { tmpdir } from 'node:os'
import { formatLocated, MigrationImageError, UsageError } from '../core/errors.js'
import { CLI_NAMES, nameOptions } from '../core/option-names.js'
import { formatProblem, renderValidationText, validationJson, verdictLine } from '../core/report/text.js'
import { applyJson, renderApplyText } from '../core/report/apply-section.js'
import { renderSafetyText } from '../core/report/safety-section.js'
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
  // As the action does: the name is used lowercased, and the user is told.
  if (args.lowercased) log.notice(`image name lowercased to ${args.lowercased} (registries reject uppercase)`)
  const cleanup = new MemoryCleanupStore()
  try {
    const outcome = await runPipeline(request, {
      log,
      cleanup,
      env,
      tempDir: tmpdir(),
      // build: the verdict before docker's output (an invalid directory is reported whole below).
      validated: (validation) => {
        if (request.command === 'build' && validation.valid) log.info(verdictLine(validation))
      },
    }).catch((error: unknown) => {
      // validate --json answers in JSON whatever stopped it (a missing directory, a base commit not there).
      if (args.json && error instanceof MigrationImageError && !(error instanceof UsageError)) {
        const { message, file, line, fix } = error
        io.out(
          `${JSON.stringify({ dir: request.check.dir, valid: false, error: { message, file, line, fix: fix === undefined ? undefined : nameOptions(fix, CLI_NAMES) } }, null, 2)}\n`,
        )
        return undefined
      }
      throw error
    })
    if (outcome === undefined) return 1
    const { validation } = outcome
    if (request.command === 'hash') {
      if (outcome.wrote === undefined) {
        for (const problem of validation.unhashable) io.err(`${formatProblem(problem)}\n`)
        io.err(`atlas.sum was not written: fix ${validation.unhashable.length === 1 ? 'this' : 'these'} first\n`)
        return 1
      }
      // atlas.sum hashes the files as they are, whatever the tool's rules say; errors are still errors.
      const errors = validation.problems.filter(
        (problem) => !problem.code.startsWith('checksum') && problem.code !== 'line-endings',
      )
      for (const problem of errors) io.err(`${formatProblem(problem)}\n`)
      const entries = validation.entries.length
      io.out(`wrote ${outcome.wrote} (${entries} ${entries === 1 ? 'entry' : 'entries'}, ${validation.checksum})\n`)
      const failing = errors.filter(({ severity }) => severity === 'error').length
      if (failing === 0) return 0
      io.err(
        `atlas.sum was written (it hashes the files as they are), but the directory still has ${failing} error${failing === 1 ? '' : 's'}: fix ${failing === 1 ? 'it' : 'them'}, run hash again, then validate\n`,
      )
      return 1
    }
    if (request.command === 'validate' && args.json) {
      io.out(`${JSON.stringify(validationJson(validation), null, 2)}\n`)
      return validation.valid ? 0 : 1
    }
    if (!validation.valid) {
      io.err(renderValidationText(validation))
      if (request.command === 'build') io.err('nothing was built\n')
      return 1
    }
    if (request.command === 'validate') {
      // What the tool counts (Liquibase's changesets, which atlas.sum's files need not hold).
      if (validation.count === 0) log.notice(`${request.check.dir} holds no migrations for ${outcome.preset.tool}`)
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
      if (args.json) io.out(`${JSON.stringify(applyJson(outcome.apply, outcome.validation.safety), null, 2)}\n`)
      else {
        io.out(renderApplyText(outcome.apply, request.check.dir))
        if (outcome.validation.safety)
          io.out(`${renderSafetyText(outcome.validation.safety, request.check.dir).map(showName).join('\n')}\n`)
      }
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
