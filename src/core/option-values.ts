import { parseSize } from './check/safe-read.js'
import { UsageError } from './errors.js'
import { showName } from './escape.js'
import { assertBuilderName, assertRef } from './names.js'
import { OPTIONS, type OptionKey } from './options.js'
import { hasControlCharacter, splitList } from './text.js'

/**
 * One option's raw value, checked by the kind its table entry declares, into a typed value. The adapters read the
 * raw text (an action input, a CLI flag) and call this; `who` names where the value came from in the error
 * (`input provenance`, `--provenance`). An empty value is undefined: the caller applies the default.
 */

type Spec<K extends OptionKey> = (typeof OPTIONS)[K]

/** The type a kind reads as; a choice reads as one of its choices. */
export type OptionValue<K extends OptionKey> =
  Spec<K> extends { readonly kind: 'bool' }
    ? boolean
    : Spec<K> extends { readonly kind: 'size' }
      ? number
      : Spec<K> extends { readonly kind: 'list' }
        ? string[]
        : Spec<K> extends { readonly kind: 'choice'; readonly choices: readonly (infer C)[] }
          ? C
          : string

/** How the adapter names the option in an error: `input NAME` (action) or `--NAME` (CLI). */
export function optionLabel(key: OptionKey, adapter: 'action' | 'cli'): string {
  const spec = OPTIONS[key]
  if (adapter === 'action' && 'input' in spec) return `input ${spec.input}`
  return 'flag' in spec ? (spec.flag.name === 'DIR' ? 'DIR' : `--${spec.flag.name}`) : key
}

export function readOption<K extends OptionKey>(
  key: K,
  raw: string | readonly string[] | undefined,
  who: string,
): OptionValue<K> | undefined {
  const spec = OPTIONS[key]
  if (spec.kind === 'list') {
    const items = (typeof raw === 'string' ? [raw] : (raw ?? [])).flatMap(splitList)
    for (const item of items) noControl(item, who)
    return items as OptionValue<K>
  }
  if (typeof raw !== 'string' && raw !== undefined) throw new UsageError(`${who} is given more than once`)
  if (raw === undefined || raw === '') return undefined
  switch (spec.kind) {
    case 'secret':
      return raw as OptionValue<K>
    case 'bool': {
      const value = raw.trim().toLowerCase()
      if (value === '') return undefined
      if (value !== 'true' && value !== 'false') {
        throw new UsageError(`${who} must be true or false, not '${showName(value)}'`)
      }
      return (value === 'true') as OptionValue<K>
    }
    case 'choice': {
      const value = raw.trim().toLowerCase()
      if (value === '') return undefined
      const choices: readonly string[] = spec.choices
      if (!choices.includes(value)) {
        throw new UsageError(`${who} must be ${orList(choices)}, not '${showName(value)}'`)
      }
      return value as OptionValue<K>
    }
    case 'size':
      return parseSize(noControl(raw, who), who) as OptionValue<K>
    case 'ref':
      return assertRef(raw, who) as OptionValue<K>
    case 'builder':
      return assertBuilderName(raw) as OptionValue<K>
    case 'text':
      return noControl(raw, who) as OptionValue<K>
  }
}

/** `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}

/** A text value with no control characters: it reaches a log line, a label or an argv. */
function noControl(value: string, who: string): string {
  if (hasControlCharacter(value)) throw new UsageError(`${who} has a control character: '${showName(value)}'`)
  return value
}
