import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { formatLocated, MigrationImageError, UsageError } from './core/errors.js'
import { formatNames } from './core/formats/index.js'
import { formatProblem, renderValidationText, validationJson } from './core/report.js'
import { validateDirectory } from './core/validate.js'

const USAGE = `Usage: migration-image <command> [DIR] [options]

Commands:
  validate [DIR]   check DIR (default: migrations) and its atlas.sum as 'atlas migrate validate' does
  hash [DIR]       write DIR/atlas.sum as 'atlas migrate hash' does

Options:
  --format NAME    directory format: ${formatNames.join(', ')} (default: atlas)
  --json           validate: print a machine-readable result
  -h, --help       show this help
  -v, --version    show the version

Exit codes: 0 valid, 1 invalid or unreadable, 2 usage error.
`

declare const MIGRATION_IMAGE_VERSION: string

interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${formatLocated(error.message, error)}\n\n${USAGE}`)
      return 2
    }
    if (error instanceof MigrationImageError) {
      io.err(`error: ${formatLocated(error.message, error)}\n`)
      return 1
    }
    throw error
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'atlas' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.out(USAGE)
    return 0
  }
  if (values.version) {
    io.out(`${MIGRATION_IMAGE_VERSION}\n`)
    return 0
  }
  const [command, dir = 'migrations', ...extra] = positionals
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`)
  switch (command) {
    case 'validate': {
      const validation = await validateDirectory(dir, values.format)
      if (values.json) io.out(`${JSON.stringify(validationJson(validation), null, 2)}\n`)
      else (validation.valid ? io.out : io.err)(renderValidationText(validation))
      return validation.valid ? 0 : 1
    }
    case 'hash': {
      if (values.json) throw new UsageError('--json goes with validate')
      const validation = await validateDirectory(dir, values.format)
      writeFileSync(validation.sumPath, validation.sumFile)
      for (const problem of validation.problems) {
        if (!problem.code.startsWith('checksum') && problem.code !== 'line-endings')
          io.err(`${formatProblem(problem)}\n`)
      }
      io.out(`wrote ${validation.sumPath} (${validation.entries.length} entries, ${validation.checksum})\n`)
      return 0
    }
    case undefined:
      throw new UsageError('no command given')
    default:
      throw new UsageError(`unknown command '${command}'`)
  }
}
