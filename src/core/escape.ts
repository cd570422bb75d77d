/**
 * Text from outside (file names, file bytes, git and docker output, event fields) shown to people. Three places
 * parse what is shown: the runner (a line starting with `::` is a workflow command), GitHub's markdown (tables,
 * HTML tags, @mentions) and terminals (escape sequences). Each helper here makes foreign text plain data for one.
 */

// Matching control characters is the point here. Bidirectional controls too (U+200E/F, U+202A–E, U+2066–9): a
// name could otherwise show reversed (`4_\u202elqs.exe.sql`).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** A name with its control characters written as `\n`, `\x1b`, `\u202e`… (it can then sit in one line of any report). */
export function showName(text: string): string {
  return text.replace(CONTROL, (char) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }
    const code = char.charCodeAt(0)
    return named[char] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`)
  })
}

/** True when the runner could read a workflow command in this text (a `::` anywhere, as lines may be split). */
export const mayHoldCommand = (text: string): boolean => text.includes('::')

/**
 * Foreign text fenced for the runner: between `::stop-commands::TOKEN` and `::TOKEN::` it parses no command. The
 * token must be fresh and unguessable (the caller passes a random one), and the block ends on its own line.
 */
export function fenceCommands(text: string, token: string): string {
  if (!/^[A-Za-z0-9-]{16,}$/.test(token)) throw new RangeError('the stop-commands token must be random')
  const body = text.endsWith('\n') ? text : `${text}\n`
  return `::stop-commands::${token}\n${body}::${token}::\n`
}

/** HTML's special characters as entities (GitHub drops unknown tags such as `<version>`). */
const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** `@name` notifies people in a summary or comment; a zero-width space after `@` keeps the text and drops the ping. */
const noMention = (text: string): string => text.replace(/@/g, '@\u200b')

/**
 * Text for a markdown table cell: HTML escaped, markdown's punctuation escaped, `|` kept in the cell, line breaks
 * and control characters made visible, mentions neutralised.
 */
export function markdownCell(text: string): string {
  return noMention(html(showName(text.replace(/\r\n|\r|\n/g, ' '))))
    .replace(/[\\`*_[\]~#!]/g, (char) => `\\${char}`)
    .replace(/\|/g, '\\|')
}

/**
 * Text inside `<code>` (a table cell, a line): entities only. Markdown still applies between raw HTML tags (GitHub
 * shows `<code>a_*b*_</code>` with `b` in italics), so its punctuation and `|` are written as entities, which GitHub
 * shows as the characters themselves.
 */
export function markdownCode(text: string): string {
  const punctuation = (char: string): string => `&#${char.charCodeAt(0)};`
  return `<code>${noMention(html(showName(text))).replace(/[|\\`*_[\]~]/g, punctuation)}</code>`
}

/**
 * Text as a fenced code block (commands to copy, an error to read): shown as it is, nothing in it is markdown, HTML
 * or a mention, and no zero-width character is added, so a command pastes as it reads. Control characters are shown
 * escaped; the fence is longer than any run of backticks in the text.
 */
export function markdownFence(text: string): string {
  const body = text
    .replace(/\r\n|\r/g, '\n')
    .split('\n')
    .map(showName)
    .join('\n')
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}\n${body}\n${fence}`
}
