import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import { sourceDateEpoch } from '../core/github/event.js'
import { assertTag, checkedBaseImage, parseImageName } from '../core/image/image-ref.js'
import { getPreset, toolNames, type Preset } from '../core/image/presets.js'
import { CLI_NAMES } from '../core/option-names.js'
import { optionLabel, readOption, type OptionValue } from '../core/option-values.js'
import { COMMANDS, FLAGS, OPTIONS, type Command, type OptionKey } from '../core/options.js'
import { applyRequest } from '../core/apply/request.js'
import { safetySettings } from '../core/safety/settings.js'
import type { ImageRequest, Request } from '../core/request.js'
import { didYouMean } from '../core/text.js'

/** What the command line asks for: help, the version, or a run. */
export type CliArgs =
  | { readonly kind: 'help'; readonly command?: Command }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run'
      readonly request: Request
      readonly json: boolean
      /** The image name as lowercased, when --image had uppercase letters (registries reject them). */
      readonly lowercased?: string
    }

/** What parsing needs from outside: the environment, and the password when asked for. */
export interface ArgsDeps {
  readonly env: NodeJS.ProcessEnv
  /** The password for --username (stdin, or a prompt at a terminal). */
  readonly readPassword: () => string
}

type ParserOptions = NonNullable<ParseArgsConfig['options']>

/** Node's parser configuration, from the option table: a boolean flag has no value, a list flag repeats. */
const PARSER_OPTIONS: ParserOptions = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
}
for (const [name, [key, flag]] of FLAGS) {
  const multiple = OPTIONS[key].kind === 'list'
  PARSER_OPTIONS[name] = { type: flag.value === undefined ? 'boolean' : 'string', multiple }
  if (flag.negatable) PARSER_OPTIONS[`no-${name}`] = { type: 'boolean' }
}

type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>

/** Node's parser, with its errors made short and helpful: `unknown option '--tol'; did you mean '--tool'?`. */
function parse(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: PARSER_OPTIONS })
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    const unknown = /Unknown option '(-{1,2}[^']*)'/.exec(text)?.[1]
    if (unknown) {
      const known = Object.keys(PARSER_OPTIONS).map((name) => `--${name}`)
      throw new UsageError(`unknown option '${showName(unknown)}'${didYouMean(unknown.split('=')[0], known)}`)
    }
    throw new UsageError(showName(text.split('\n')[0].replace(/\.$/, '')))
  }
}

/** The flag's raw value as the table's kind reads it: a boolean flag is 'true' (or 'false' for its --no- twin). */
function raw(values: Values, key: OptionKey): string | string[] | undefined {
  const spec = OPTIONS[key]
  if (!('flag' in spec)) return undefined
  const name = spec.flag.name
  if ('negatable' in spec.flag && values[`no-${name}`]) return 'false'
  const value = values[name]
  if (typeof value === 'boolean') return value ? 'true' : undefined
  if (Array.isArray(value)) return value.map(String)
  return value
}

const flag = <K extends OptionKey>(values: Values, key: K): OptionValue<K> | undefined =>
  readOption(key, raw(values, key), optionLabel(key, 'cli'))

/** The command line, checked, into one request (or help, or the version). */
export function parseCliArgs(argv: readonly string[], deps: ArgsDeps): CliArgs {
  const { values, positionals } = parse(argv)
  const [word, dirArg, ...extra] = positionals
  const command = word === undefined ? undefined : COMMANDS.find((name) => name === word.toLowerCase())
  if (word !== undefined && command === undefined) {
    throw new UsageError(`unknown command '${showName(word)}'${didYouMean(word, COMMANDS)}`)
  }
  if (values.help) return { kind: 'help', command }
  if (values.version) return { kind: 'version' }
  if (command === undefined) throw new UsageError('no command given')
  if (extra.length > 0) throw new UsageError(`unexpected argument '${showName(extra[0])}' (one DIR at most)`)
  // Each flag goes with some commands only: a flag that would do nothing is an error, not a surprise.
  for (const name of Object.keys(values)) {
    const found = FLAGS.get(name) ?? FLAGS.get(name.replace(/^no-/, ''))
    if (found && !found[1].commands.includes(command)) {
      throw new UsageError(`--${name} does not go with ${command} (it goes with ${found[1].commands.join(', ')})`)
    }
    if (name.startsWith('no-') && values[name.slice(3)]) {
      throw new UsageError(`--${name.slice(3)} and --${name} say opposite things: give one`)
    }
  }
  const dir = readOption('dir', dirArg, 'DIR') ?? OPTIONS.dir.default
  const preset = getPreset(flag(values, 'tool') ?? OPTIONS.tool.default)
  const baseRef = flag(values, 'base')
  const allowOutOfOrder = flag(values, 'allowOutOfOrder') ?? false
  const applying = command === 'apply-check'
  const request: Request = {
    // apply-check builds the image into the local store, then checks it: the pipeline's build, with the check.
    command: applying ? 'build' : command,
    names: CLI_NAMES,
    check: {
      dir,
      tool: preset.tool,
      format: flag(values, 'format') ?? preset.format,
      checksum: flag(values, 'checksum'),
      changelog: flag(values, 'changelog'),
      maxFileSize: flag(values, 'maxFileSize'),
      safety: safetySettings(
        {
          mode: flag(values, 'safety'),
          postgresVersion: flag(values, 'postgresVersion'),
          database: flag(values, 'database'),
          databaseUrl: flag(values, 'databaseUrl'),
        },
        { postgresVersion: '--postgres-version', safety: '--safety' },
      ),
    },
    base:
      baseRef === undefined
        ? undefined
        : {
            ref: baseRef,
            name: baseRef,
            allowOutOfOrder,
            missingFix: `fetch it first ('git fetch origin ${showName(baseRef)}', or 'git fetch --unshallow' for a relative ref like main~5), or give --base a branch or commit that is in this checkout`,
          },
    image: command === 'validate' || command === 'hash' ? undefined : imageRequest(command, values, deps, preset),
    apply: applying
      ? applyRequest(
          {
            database: flag(values, 'database'),
            databaseUrl: flag(values, 'databaseUrl'),
            timeout: flag(values, 'applyTimeout'),
          },
          { database: '--database', databaseUrl: '--database-url', timeout: '--apply-timeout' },
        )
      : undefined,
  }
  if (allowOutOfOrder && !request.base) throw new UsageError('--allow-out-of-order goes with --base')
  const named = request.image?.name as { name: string; lowercased?: boolean } | undefined
  return {
    kind: 'run',
    request,
    json: flag(values, 'json') ?? false,
    lowercased: named?.lowercased ? named.name : undefined,
  }
}

/**
 * The image: `--image NAME:TAG` and `--tag` add tags to the commit's sha, which the pipeline reads from the
 * checkout (absent outside git). The creation time is SOURCE_DATE_EPOCH or the commit's, never the clock: the same
 * input gives the same Dockerfile, and `dockerfile` shows what `build` builds.
 */
function imageRequest(command: Command, values: Values, deps: ArgsDeps, preset: Preset): ImageRequest {
  const given = flag(values, 'image') ?? (command === 'apply-check' ? 'migration-image-apply-check:local' : undefined)
  if (command === 'build' && !given) throw new UsageError('build needs --image NAME[:TAG]')
  const [name, tagInName] = (given ?? 'migrations').split(/:(?=[^/]*$)/)
  const push = flag(values, 'push') === 'true'
  const output = flag(values, 'output')
  const username = flag(values, 'username')
  const credentials = username ? { username, password: password(deps.readPassword, username) } : undefined
  return {
    name: parseImageName(name, '--image'),
    tags: [...new Set([tagInName, ...(flag(values, 'tags') ?? [])].filter((tag) => tag !== undefined))].map((tag) =>
      assertTag(tag, tag === tagInName ? '--image' : '--tag'),
    ),
    fromHead: true,
    created: sourceDateEpoch(deps.env),
    push,
    pushReason: push
      ? '--push'
      : output === undefined
        ? 'built into the local image store (--push to push)'
        : `written to ${showName(output)} (--push to push instead)`,
    load: !push,
    baseImage: checkedBaseImage(flag(values, 'baseImage'), '--base-image', preset.baseImage),
    platforms: flag(values, 'platforms') ?? [],
    provenance: flag(values, 'provenance') ?? OPTIONS.provenance.default,
    cache: flag(values, 'cache') ?? OPTIONS.cache.default,
    engine: flag(values, 'engine') ?? OPTIONS.engine.default,
    output,
    contextDir: flag(values, 'context'),
    builder: flag(values, 'builder'),
    selfCheck: selfCheck(flag(values, 'selfCheck') ?? false, flag(values, 'tool')),
    credentials,
  }
}

function password(read: () => string, username: string): string {
  const value = read().replace(/\r?\n$/, '')
  if (value === '') {
    throw new UsageError(`--username ${showName(username)} needs a password, and none was given`, {
      fix: 'pipe it on stdin (echo "$TOKEN" | migration-image build … --username USER), or type it at the prompt',
    })
  }
  return value
}

/** --self-check with a tool that has none is a mistake (the README promises so); the action notes and skips it. */
function selfCheck(wanted: boolean, tool: string | undefined): boolean {
  const preset = getPreset(tool ?? 'atlas')
  if (wanted && preset.selfCheck === undefined) {
    const have = toolNames.filter((name) => getPreset(name).selfCheck !== undefined)
    throw new UsageError(`--self-check: ${preset.tool} has no offline self-check (it needs a database)`, {
      fix: `drop --self-check; the tools with one are ${have.join(' and ')}`,
    })
  }
  return wanted
}
