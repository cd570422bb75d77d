import { parseArgs } from 'node:util'
import { parseSize } from '../core/check/safe-read.js'
import { UsageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import { sourceDateEpoch } from '../core/github/event.js'
import { assertTag, parseImageName } from '../core/image/image-ref.js'
import { getPreset } from '../core/image/presets.js'
import { CLI_NAMES } from '../core/option-names.js'
import type { ImageRequest, Request } from '../core/request.js'
import { didYouMean, splitList } from '../core/text.js'
import { assertBuilderName } from '../io/builder.js'
import { assertRef } from '../io/git-base.js'
import { COMMANDS, FLAGS, type Command } from './help.js'

/** What the command line asks for: help, the version, or a run. */
export type CliArgs =
  | { readonly kind: 'help'; readonly command?: Command }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly request: Request; readonly json: boolean }

/** What parsing needs from outside: the environment, the commit DIR is at, and the password when asked for. */
export interface ArgsDeps {
  readonly env: NodeJS.ProcessEnv
  /** The commit the directory is in (revision, default tag) and its time; undefined outside git. */
  readonly commitAt: (dir: string) => { readonly sha: string; readonly time: string } | undefined
  /** The password for --username (stdin, or a prompt at a terminal). */
  readonly readPassword: () => string
}

const OPTIONS = {
  tool: { type: 'string' },
  format: { type: 'string' },
  checksum: { type: 'string' },
  changelog: { type: 'string' },
  'max-file-size': { type: 'string' },
  json: { type: 'boolean' },
  base: { type: 'string' },
  'allow-out-of-order': { type: 'boolean' },
  image: { type: 'string' },
  tag: { type: 'string', multiple: true },
  'base-image': { type: 'string' },
  'self-check': { type: 'boolean' },
  platform: { type: 'string', multiple: true },
  push: { type: 'boolean' },
  username: { type: 'string' },
  cache: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  builder: { type: 'string' },
  provenance: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** Node's parser, with its errors made short and helpful: `unknown option '--tol'; did you mean '--tool'?`. */
function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS })
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    const unknown = /Unknown option '(-{1,2}[^']*)'/.exec(text)?.[1]
    if (unknown) {
      const known = Object.keys(OPTIONS).map((name) => `--${name}`)
      throw new UsageError(`unknown option '${showName(unknown)}'${didYouMean(unknown.split('=')[0], known)}`)
    }
    throw new UsageError(showName(text.split('\n')[0].replace(/\.$/, '')))
  }
}

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
    const flag = FLAGS[name] as (typeof FLAGS)[string] | undefined
    if (flag && !flag.commands.includes(command)) {
      throw new UsageError(`--${name} does not go with ${command} (it goes with ${flag.commands.join(', ')})`)
    }
  }
  const dir = dirArg ?? 'migrations'
  const preset = getPreset(values.tool ?? 'atlas')
  const checksum = values.checksum?.toLowerCase()
  if (checksum !== undefined && checksum !== 'required' && checksum !== 'optional') {
    throw new UsageError(`--checksum must be required or optional, not '${showName(values.checksum ?? '')}'`)
  }
  const maxFileSize = values['max-file-size']
  const request: Request = {
    command,
    names: CLI_NAMES,
    check: {
      dir,
      tool: preset.tool,
      format: values.format ?? preset.format,
      checksum: checksum,
      changelog: values.changelog,
      maxFileSize: maxFileSize === undefined ? undefined : parseSize(maxFileSize, '--max-file-size'),
    },
    // --base goes to git: never an option (it could run a command through --upload-pack=…).
    base:
      values.base === undefined
        ? undefined
        : {
            ref: assertRef(values.base, '--base'),
            name: values.base,
            allowOutOfOrder: values['allow-out-of-order'] ?? false,
          },
    image: command === 'dockerfile' || command === 'build' ? imageRequest(command, dir, values, deps) : undefined,
  }
  if (values['allow-out-of-order'] && !request.base) throw new UsageError('--allow-out-of-order goes with --base')
  return { kind: 'run', request, json: values.json ?? false }
}

type Values = ReturnType<typeof parse>['values']

/**
 * The image: the commit sha is the first tag and the revision label (absent outside git); `--image NAME:TAG` and
 * `--tag` add tags. The creation time is SOURCE_DATE_EPOCH or the commit's, never the clock: the same input gives the
 * same Dockerfile, and `dockerfile` shows what `build` builds.
 */
function imageRequest(command: Command, dir: string, values: Values, deps: ArgsDeps): ImageRequest {
  if (command === 'build' && !values.image) throw new UsageError('build needs --image NAME[:TAG]')
  const [name, tagInName] = (values.image ?? 'migrations').split(/:(?=[^/]*$)/)
  const image = parseImageName(name, '--image')
  const commit = deps.commitAt(dir)
  const tags = [...new Set([commit?.sha, tagInName, ...(values.tag ?? [])].filter((tag) => tag !== undefined))]
  if (command === 'build' && tags.length === 0) {
    throw new UsageError('no tag: DIR is not in a git checkout and no tag was given', {
      fix: 'add :TAG to --image or pass --tag',
    })
  }
  const provenance = (values.provenance ?? 'false').toLowerCase()
  if (!['false', 'true', 'mode=min', 'mode=max'].includes(provenance)) {
    throw new UsageError(`--provenance must be false, true, mode=min or mode=max, not '${showName(provenance)}'`)
  }
  const push = values.push ?? false
  const credentials = values.username
    ? { username: values.username, password: password(deps.readPassword, values.username) }
    : undefined
  return {
    name: image,
    tags: tags.map(assertTag),
    revision: commit?.sha,
    created: sourceDateEpoch(deps.env) ?? commit?.time,
    push,
    pushReason: push ? '--push' : 'built into the local image store (--push to push)',
    load: !push,
    baseImage: values['base-image'],
    platforms: (values.platform ?? []).flatMap(splitList),
    provenance,
    cache: values['no-cache'] ? 'false' : values.cache ? 'true' : 'auto',
    builder: values.builder === undefined ? undefined : assertBuilderName(values.builder),
    selfCheck: values['self-check'] ?? false,
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
