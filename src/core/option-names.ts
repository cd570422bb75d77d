/**
 * The options a fix may tell the user to change. The core writes a placeholder (`OPTION.dir`); the adapter's
 * formatter names it the way the user sets it — the action's input, or the CLI's flag — with `nameOptions`.
 */
export interface OptionNames {
  readonly dir: string
  readonly maxFileSize: string
  readonly allowOutOfOrder: string
  readonly builder: string
  readonly image: string
  readonly tags: string
  readonly cacheOn: string
}

type Key = keyof OptionNames

export const OPTION: Readonly<Record<Key, string>> = {
  dir: '\u27eadir\u27eb',
  maxFileSize: '\u27eamax-file-size\u27eb',
  allowOutOfOrder: '\u27eaallow-out-of-order\u27eb',
  builder: '\u27eabuilder\u27eb',
  image: '\u27eaimage\u27eb',
  tags: '\u27eatags\u27eb',
  cacheOn: '\u27eacache\u27eb',
}

export const ACTION_NAMES: OptionNames = {
  dir: 'the dir input (relative to the repository root)',
  maxFileSize: 'the max-file-size input',
  allowOutOfOrder: 'allow-out-of-order: true',
  builder: 'the builder input',
  image: 'the image input',
  tags: 'the tags input',
  cacheOn: 'cache: true',
}

export const CLI_NAMES: OptionNames = {
  dir: 'DIR (relative to the current directory)',
  maxFileSize: '--max-file-size',
  allowOutOfOrder: '--allow-out-of-order',
  builder: '--builder',
  image: '--image',
  tags: '--tag',
  cacheOn: '--cache',
}

const PLACEHOLDER = /\u27ea([a-z-]+)\u27eb/g
const KEYS = new Map(Object.entries(OPTION).map(([key, token]) => [token.slice(1, -1), key as Key]))

/** Replaces each option placeholder in a fix with the option's name for this adapter. */
export function nameOptions(text: string, names: OptionNames): string {
  return text.replace(PLACEHOLDER, (token, name: string) => {
    const key = KEYS.get(name)
    return key ? names[key] : token
  })
}
