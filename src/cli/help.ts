import { COMMANDS, FLAGS, type Command } from '../core/options.js'

const SUMMARY: Readonly<Record<Command, string>> = {
  validate: "check DIR (default: migrations) and its atlas.sum as 'atlas migrate validate' does",
  hash: "write DIR/atlas.sum as 'atlas migrate hash' does",
  dockerfile: "print the Dockerfile that layers DIR onto the tool's image",
  build: 'validate, then build the image with the local docker (and push with --push)',
  'apply-check':
    "build the image, then run its migrations on a throwaway database (with --base: the base's first, then the new ones, and the down/up round trip)",
}

const column = (left: string, right: string): string => `  ${left.padEnd(24)} ${right}`

export function usage(): string {
  return [
    'Usage: migration-image <command> [DIR] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => column(`${command} [DIR]`, SUMMARY[command].replace(/ \(with --base.*$/, ''))),
    '',
    "Run 'migration-image <command> --help' for the command's options.",
    '',
    'Exit codes: 0 success, 1 invalid directory or failed build, 2 usage error, 3 no docker.',
    '',
  ].join('\n')
}

/** A command's help: its flags, each as the option table declares it, in the table's order. */
export function commandHelp(command: Command): string {
  const flags = [...FLAGS.values()].filter(([, flag]) => flag.commands.includes(command))
  return [
    `Usage: migration-image ${command} [DIR] [options]`,
    '',
    `${SUMMARY[command]}.`,
    '',
    'Options:',
    ...flags.map(([, flag]) => {
      const usage = `--${flag.name}${flag.value ? ` ${flag.value}` : ''}${flag.negatable ? `, --no-${flag.name}` : ''}`
      return column(usage, flag.help)
    }),
    column('-h, --help', 'show this help'),
    '',
  ].join('\n')
}
