import { SAFETY_CODES, type SafetyCode } from './codes.js'

/**
 * `-- migration-image:ignore safety/<rule> <reason>`: on the line before a statement (stacked ignores above one
 * statement all apply), or on the file's first line (after an XML declaration) for the whole file. The reason is
 * required; an ignore that matches no finding is reported (safety/unused-ignore).
 */
export interface Ignore {
  readonly line: number
  readonly code: string
  readonly reason: string
  /** Whole file (its first line) or the statement below. */
  readonly wholeFile: boolean
  used: boolean
}

const IGNORE = /migration-image:ignore(?:[ \t]+(\S+))?(?:[ \t]+(.*))?/

/** The ignores a file's text holds, by line. */
export function readIgnores(text: string): Map<number, Ignore> {
  const ignores = new Map<number, Ignore>()
  const lines = text.split('\n')
  const first = lines.findIndex((line) => !/^\s*<\?xml[^>]*\?>\s*$/.test(line))
  for (const [index, line] of lines.entries()) {
    if (!line.includes('migration-image:ignore')) continue
    const match = IGNORE.exec(line)
    if (!match) continue
    const reason = (match[2] ?? '').replace(/\s*(-->|\*\/)\s*$/, '').trim()
    ignores.set(index + 1, {
      line: index + 1,
      code: (match[1] ?? '').replace(/(-->|\*\/)$/, ''),
      reason,
      wholeFile: index === first,
      used: false,
    })
  }
  return ignores
}

export const isSafetyCode = (code: string): code is SafetyCode => (SAFETY_CODES as readonly string[]).includes(code)

/** The ignore that covers a finding of `code` on `line`, if one does (marked used). */
export function ignoring(ignores: Map<number, Ignore>, code: SafetyCode, line: number): Ignore | undefined {
  const usable = (ignore: Ignore | undefined) =>
    ignore !== undefined && ignore.code === code && ignore.reason !== '' ? ignore : undefined
  for (let above = line - 1; ignores.has(above); above--) {
    const found = usable(ignores.get(above))
    if (found) return mark(found)
  }
  for (const ignore of ignores.values()) if (ignore.wholeFile && usable(ignore)) return mark(ignore)
  return undefined
}

function mark(ignore: Ignore): Ignore {
  ignore.used = true
  return ignore
}
