import { OPTION_LIST, OPTIONS, type OptionKey, type OptionSpec } from './options.js'

/**
 * How messages name an option the user may change. The core writes a placeholder (`OPTION.dir`); the adapter's
 * formatter names it the way its user sets it — the action's input, or the CLI's flag — with `nameOptions`. Both
 * name lists derive from the option table (options.ts).
 */
export type OptionNames = Readonly<Record<OptionKey, string>>

const PLACEHOLDER = /\u27ea([A-Za-z]+)\u27eb/g

export const OPTION = Object.fromEntries(
  OPTION_LIST.map(([key]) => [key, `\u27ea${key}\u27eb`]),
) as unknown as OptionNames

function actionName(spec: OptionSpec): string {
  if (spec.fixName?.action) return spec.fixName.action
  if (!spec.input) return spec.flag ? cliName(spec) : '?'
  return spec.kind === 'bool' ? `${spec.input}: true` : `the ${spec.input} input`
}

function cliName(spec: OptionSpec): string {
  if (spec.fixName?.cli) return spec.fixName.cli
  return spec.flag ? `--${spec.flag.name}` : `the action's ${spec.input ?? '?'} input`
}

const names = (name: (spec: OptionSpec) => string): OptionNames =>
  Object.fromEntries(OPTION_LIST.map(([key, spec]) => [key, name(spec)])) as unknown as OptionNames

export const ACTION_NAMES: OptionNames = names(actionName)
export const CLI_NAMES: OptionNames = names(cliName)

/** Replaces each option placeholder in a fix with the option's name for this adapter. */
export function nameOptions(text: string, names: OptionNames): string {
  return text.replace(PLACEHOLDER, (token, key: string) => (key in OPTIONS ? names[key as OptionKey] : token))
}
