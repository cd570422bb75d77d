import { formatNames } from '../core/check/formats/index.js'
import { toolNames } from '../core/image/presets.js'

/** One flag of the CLI: its help line and the commands it goes with. */
interface Flag {
  readonly usage: string
  readonly help: string
  readonly commands: readonly Command[]
}

export type Command = 'validate' | 'hash' | 'dockerfile' | 'build'
export const COMMANDS: readonly Command[] = ['validate', 'hash', 'dockerfile', 'build']

const ALL = COMMANDS
const CHECKS: readonly Command[] = ['validate', 'hash', 'dockerfile', 'build']
const IMAGE: readonly Command[] = ['dockerfile', 'build']
const BUILD: readonly Command[] = ['build']
const BASE: readonly Command[] = ['validate', 'dockerfile', 'build']

export const FLAGS: Readonly<Record<string, Flag>> = {
  tool: { usage: '--tool NAME', help: `migration tool: ${toolNames.join(', ')} (default: atlas)`, commands: ALL },
  format: {
    usage: '--format NAME',
    help: `directory format: ${formatNames.join(', ')} (default: the tool's)`,
    commands: CHECKS,
  },
  checksum: {
    usage: '--checksum MODE',
    help: 'required | optional: is a missing atlas.sum an error (default: required for atlas)',
    commands: CHECKS,
  },
  changelog: {
    usage: '--changelog FILE',
    help: 'liquibase: the master changelog, when not changelog.xml|yaml|yml|json|sql',
    commands: CHECKS,
  },
  'max-file-size': {
    usage: '--max-file-size N',
    help: 'per-file limit for every file read: bytes, or with KB, MB, GB (default 64MB)',
    commands: CHECKS,
  },
  json: { usage: '--json', help: 'print a machine-readable result', commands: ['validate'] },
  base: {
    usage: '--base REF',
    help: 'also check against REF (a branch or commit): migrations there unchanged, new ones after its latest version',
    commands: BASE,
  },
  'allow-out-of-order': {
    usage: '--allow-out-of-order',
    help: "with --base: allow new versions at or before REF's latest",
    commands: BASE,
  },
  image: { usage: '--image NAME[:TAG]', help: 'image name (and a tag, added to the commit sha tag)', commands: IMAGE },
  tag: { usage: '--tag TAG', help: 'another tag, besides the commit sha (repeatable)', commands: BUILD },
  'base-image': {
    usage: '--base-image REF',
    help: "base image instead of the tool's default (a versioned tag)",
    commands: IMAGE,
  },
  'self-check': {
    usage: '--self-check',
    help: "run the tool's offline validation in a build stage (atlas, goose)",
    commands: IMAGE,
  },
  platform: { usage: '--platform LIST', help: 'e.g. linux/amd64,linux/arm64 (needs buildx)', commands: BUILD },
  push: { usage: '--push', help: 'push the tags (default: build only, into the local image store)', commands: BUILD },
  username: {
    usage: '--username USER',
    help: "log in to the image's registry as USER; the password from stdin, or a prompt at a terminal",
    commands: BUILD,
  },
  cache: {
    usage: '--cache',
    help: 'use the GitHub Actions cache even for a COPY-only image (default: only with --self-check)',
    commands: BUILD,
  },
  'no-cache': { usage: '--no-cache', help: 'never use the GitHub Actions cache', commands: BUILD },
  builder: { usage: '--builder NAME', help: 'an existing buildx builder to use as it is', commands: BUILD },
  provenance: {
    usage: '--provenance MODE',
    help: 'false (default) | true | mode=min | mode=max: attestations (needs buildx)',
    commands: BUILD,
  },
}

const SUMMARY: Readonly<Record<Command, string>> = {
  validate: "check DIR (default: migrations) and its atlas.sum as 'atlas migrate validate' does",
  hash: "write DIR/atlas.sum as 'atlas migrate hash' does",
  dockerfile: "print the Dockerfile that layers DIR onto the tool's image",
  build: 'validate, then build the image with the local docker (and push with --push)',
}

const column = (left: string, right: string): string => `  ${left.padEnd(24)} ${right}`

export function usage(): string {
  return [
    'Usage: migration-image <command> [DIR] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => column(`${command} [DIR]`, SUMMARY[command])),
    '',
    "Run 'migration-image <command> --help' for the command's options.",
    '',
    'Exit codes: 0 success, 1 invalid directory or failed build, 2 usage error, 3 no docker.',
    '',
  ].join('\n')
}

export function commandHelp(command: Command): string {
  const flags = Object.values(FLAGS).filter((flag) => flag.commands.includes(command))
  return [
    `Usage: migration-image ${command} [DIR] [options]`,
    '',
    `${SUMMARY[command]}.`,
    '',
    'Options:',
    ...flags.map((flag) => column(flag.usage, flag.help)),
    column('-h, --help', 'show this help'),
    '',
  ].join('\n')
}
