import { clipped } from '../../text.js'
import { changesetName } from './liquibase-changelog.js'
import { MAX_COMMENT_LINE } from './liquibase-limits.js'

/**
 * Liquibase's formatted SQL changelogs (`--liquibase formatted sql`), read the way Liquibase 4.33.0 reads them.
 * Source: liquibase/liquibase v4.33.0, liquibase-standard/src/main/java/liquibase/parser/
 * AbstractFormattedChangeLogParser.java (AFCLP below) and core/formattedsql/FormattedSqlChangeLogParser.java (FSCLP).
 * Only what decides a verdict is read: changeset headers, the lines Liquibase refuses, and which lines are SQL.
 */

/** Java's `\s` (no Unicode spaces), so patterns match exactly what Liquibase's do. */
const S = '[ \\t\\n\\x0B\\f\\r]'
const whole = (source: string): RegExp => new RegExp(`^(?:${source})$`, 'i')

// AFCLP:61 FIRST_LINE_REGEX; `matches()` is a whole-line match, case-insensitive (every pattern there is).
const FIRST_LINE = whole(`${S}*--${S}*liquibase${S}*formatted.*`)
// AFCLP:64 PROPERTY_REGEX and AFCLP:67 ALT_PROPERTY_ONE_CHARACTER_REGEX.
// As a backtracking regex (`${S}*--${S}*property${S}+(.*:.*)${S}+(.*:.*).*`) it is cubic on a long line; this test
// matches the same lines in one pass: after the prefix, a space, then a `:`, a later space and a later `:` again
// (`.` matches no \u2028 or \u2029, Java's \s neither).
const PROPERTY_PREFIX = new RegExp(`^${S}*--${S}*property`, 'i')
const PROPERTY = {
  test(line: string): boolean {
    const prefix = PROPERTY_PREFIX.exec(line)
    if (!prefix || /[\u2028\u2029]/.test(line)) return false
    const rest = line.slice(prefix[0].length)
    const space = (char: string | undefined): boolean => char !== undefined && ' \t\n\x0B\f\r'.includes(char)
    if (!space(rest[0])) return false
    const colon = rest.indexOf(':', 1)
    if (colon < 0) return false
    let gap = colon + 1
    while (gap < rest.length && !space(rest[gap])) gap++
    return gap < rest.length && rest.lastIndexOf(':') > gap
  },
}
const ALT_PROPERTY = whole(`${S}*?[-]+${S}*property${S}.*`)
// AFCLP:71 CHANGE_SET_REGEX, AFCLP:74 ALT_CHANGE_SET_ONE_CHARACTER_REGEX, AFCLP:77 ALT_CHANGE_SET_NO_OTHER_INFO_REGEX.
const CHANGE_SET = whole(`${S}*--${S}*changeset${S}+("[^"]+"|[^:]+):${S}*("[^"]+"|[^ \\t\\n\\x0B\\f\\r]+).*`)
const ALT_CHANGE_SET_ONE = whole(`-${S}*changeset${S}.*`)
const ALT_CHANGE_SET_NO_INFO = whole(`${S}*--${S}*changeset${S}*.*`)
// AFCLP:80-84 ROLLBACK_REGEX and its one-dash variant; AFCLP:193-197 the multi-line rollback comment.
const ROLLBACK = whole(`${S}*--${S}*rollback (.*)`)
const ALT_ROLLBACK = whole(`${S}*-${S}*rollback${S}.*`)
const ROLLBACK_START = whole(`${S}*\\/\\*${S}*liquibase${S}*rollback${S}*`)
// `.*\s*\*\/\s*` as a whole match is "ends in */ and optional spaces"; written so, it cannot backtrack quadratically.
const ROLLBACK_END_TAIL = new RegExp(`\\*\\/${S}*$`)
const ROLLBACK_END = { test: (line: string): boolean => ROLLBACK_END_TAIL.test(line) && !/[\u2028\u2029]/.test(line) }
// AFCLP:86-101 preconditions, precondition-<name>, the one-dash variants and the empty precondition.
const PRECONDITIONS = whole(`${S}*--${S}*preconditions(.*)`)
const ALT_PRECONDITIONS = whole(`${S}*-${S}*preconditions${S}.*`)
const PRECONDITION = whole(`${S}*--${S}*precondition\\-([a-zA-Z0-9-]+) (.*)`)
const EMPTY_PRECONDITION = whole(`${S}*--${S}*precondition\\-([a-zA-Z0-9-]+)`)
const ALT_PRECONDITION = whole(`${S}*-${S}*precondition(.*)`)
// AFCLP:118-131 comment (singular, one-dash and plural variants) and validCheckSum.
const COMMENT = whole(`--${S}*comment:? (.*)`)
const ALT_COMMENT_PLURAL = whole(`--${S}*comments:? (.*)`)
const ALT_COMMENT_ONE = whole(`-${S}*comment:? (.*)`)
const VALID_CHECK_SUM = whole(`--${S}*validCheckSum:? (.*)`)
const ALT_VALID_CHECK_SUM = whole(`-${S}*validCheckSum(.*)`)
// AFCLP:133-140 ignoreLines and the refused `--ignore:` spelling.
const IGNORE_LINES = whole(`--${S}*ignoreLines:(\\w+)`)
const ALT_IGNORE_LINES_ONE = whole(`-${S}*?ignoreLines:(\\w+).*`)
const ALT_IGNORE = whole(`--${S}*ignore:(\\w+)`)
// AFCLP:169-172 changeset attributes that decide whether Liquibase validates a changeset.
const IGNORE_ATTRIBUTE = whole('.*ignore:(\\w*).*')
const DBMS_ATTRIBUTE = whole('.*dbms:([^,][\\w!,]+).*')
const LOGICAL_FILE_PATH = whole('.*logicalFilePath:([^ \\t\\n\\x0B\\f\\r]*).*')
// FSCLP:31-33 the precondition types formatted SQL knows.
const PRECONDITION_TYPES = new Set(['sql-check', 'table-exists', 'view-exists'])

/** Whether Liquibase picks the formatted SQL parser: the first non-blank line is the header (AFCLP:255-279). */
export function isFormattedSql(text: string): boolean {
  const first = splitLines(text).find((line) => line.trim() !== '')
  return first !== undefined && FIRST_LINE.test(first)
}

/** BufferedReader.readLine: `\n`, `\r\n` and `\r` end a line; a final terminator adds no empty line. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.length > 0 && lines.at(-1) === '') lines.pop()
  return lines
}

export interface SqlChangeSet {
  readonly author: string
  readonly id: string
  readonly line: number
  /** `ignore:true`: Liquibase neither validates nor runs it (ValidatingVisitor.java:99). */
  readonly ignored: boolean
  /** `dbms:` set: a DbmsChangeSetFilter may leave it out, so checks that need it to run are not made. */
  readonly dbms: boolean
  /** `logicalFilePath:` on the changeset line: the path its identity uses instead of the file's. */
  readonly logicalPath?: string
}

export interface SqlIssue {
  readonly line: number
  readonly message: string
  readonly fix: string
}

export interface FormattedSql {
  readonly changeSets: SqlChangeSet[]
  /** The first error Liquibase stops at (its parser throws at the first one), if any. */
  readonly error?: SqlIssue
  /** Something Liquibase accepts but runs differently from how it reads. */
  readonly warning?: SqlIssue
}

const FORMAT_FIX = "write it as '--changeset author:id' (no space after the colon), one per changeset"

/** Reads a formatted SQL changelog; stops at the first line Liquibase refuses, as Liquibase does. */
export function readFormattedSql(text: string): FormattedSql {
  const lines = splitLines(text)
  const changeSets: SqlChangeSet[] = []
  let current: SqlChangeSet | undefined
  let sql = ''
  let foundHeader = false
  const fail = (line: number, message: string, fix: string): FormattedSql => ({
    changeSets,
    error: { line, message, fix },
  })
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]
    const number = index + 1
    // Every pattern Liquibase matches a line with starts with optional spaces and `-` or `/*`; on a very long such
    // line some of them backtrack quadratically (as they do in Liquibase), so it is refused, not read for hours.
    if (line.length > MAX_COMMENT_LINE && new RegExp(`^${S}*[-/]`).test(line)) {
      return fail(
        number,
        `is a comment line of ${line.length} characters, longer than this check reads (${MAX_COMMENT_LINE})`,
        'shorten the comment, or break it over several lines',
      )
    }
    const header = FIRST_LINE.test(line)
    // AFCLP:330-334: a second header stops the parse.
    if (foundHeader && header) {
      return fail(number, 'duplicate formatted SQL header: Liquibase stops here', 'keep one --liquibase formatted sql')
    }
    // AFCLP:338-345: property lines; a malformed one stops the parse.
    if (PROPERTY.test(line)) continue
    if (ALT_PROPERTY.test(line)) {
      return fail(number, 'malformed --property line', "write '--property name:<name> value:<value>'")
    }
    if (header) foundHeader = true
    // AFCLP:351-389: ignoreLines:start … ignoreLines:end, or ignoreLines:<count>; other spellings stop the parse.
    const ignoreLines = IGNORE_LINES.exec(line)
    if (ignoreLines) {
      if (ignoreLines[1] === 'start') {
        for (index++; index < lines.length; index++) {
          const end = IGNORE_LINES.exec(lines[index])
          if (end) {
            if (end[1] === 'end') break
          } else if (ALT_IGNORE_LINES_ONE.test(lines[index])) {
            return fail(index + 1, 'malformed ignoreLines line', "write '--ignoreLines:end'")
          }
        }
        continue
      }
      if (!/^[+-]?\d+$/.test(ignoreLines[1])) {
        return fail(
          number,
          `unknown ignoreLines syntax "${clipped(ignoreLines[1])}"`,
          "write '--ignoreLines:<count>' or 'start'",
        )
      }
      index += Math.max(0, Number(ignoreLines[1]))
      continue
    }
    if (ALT_IGNORE_LINES_ONE.test(line) || ALT_IGNORE.test(line)) {
      return fail(number, 'malformed ignoreLines line', "write '--ignoreLines:<count>' or '--ignoreLines:start'")
    }
    const changeSet = CHANGE_SET.exec(line)
    if (changeSet) {
      // AFCLP:391-396: the changeset before this one has no SQL.
      if (current && sql.trim() === '') {
        return fail(
          current.line,
          `changeset ${changesetName(current)} has no SQL: Liquibase stops with "No SQL for changeset"`,
          'add its SQL, or remove the empty changeset',
        )
      }
      const [, authorGroup, idGroup] = changeSet
      // AFCLP:466-479: the header must read `--changeset author:id` with nothing between the colon and the id.
      const exact = new RegExp(`^${S}*--${S}*changeset${S}+${escapeRegExp(`${authorGroup}:${idGroup}`)}.*$`, 'i')
      if (!exact.test(line))
        return fail(number, `'${shown(line)}' is not a changeset header Liquibase reads`, FORMAT_FIX)
      const id = stripQuotes(idGroup)
      // AFCLP:482 and AFCLP:802-809 validateChangeSetId: an id of only colons and spaces is empty.
      if (id.replaceAll(':', '').replaceAll(' ', '') === '') {
        return fail(number, 'the changeset id is empty', FORMAT_FIX)
      }
      current = {
        author: stripQuotes(authorGroup),
        id,
        line: number,
        ignored: (IGNORE_ATTRIBUTE.exec(line)?.[1] ?? '').toLowerCase() === 'true',
        dbms: DBMS_ATTRIBUTE.test(line),
        // AFCLP:448-451: an empty logicalFilePath: falls back to the changelog's.
        logicalPath: LOGICAL_FILE_PATH.exec(line)?.[1] || undefined,
      }
      changeSets.push(current)
      sql = ''
      continue
    }
    // AFCLP:500-506: anything else that starts like a changeset header stops the parse.
    if (ALT_CHANGE_SET_ONE.test(line) || ALT_CHANGE_SET_NO_INFO.test(line)) {
      return fail(number, `'${shown(line)}' is not a changeset header Liquibase reads`, FORMAT_FIX)
    }
    if (!current) {
      // AFCLP:512-519: comment lines are refused outside changesets; other lines are skipped.
      if (COMMENT.test(line)) {
        return fail(number, '--comment outside a changeset', 'move it below a --changeset line')
      }
      continue
    }
    // AFCLP:666-719 configureChangeSet: the lines a changeset reads as attributes; the rest is its SQL.
    if (COMMENT.test(line) || VALID_CHECK_SUM.test(line) || ROLLBACK.test(line) || PRECONDITIONS.test(line)) continue
    if (ALT_COMMENT_ONE.test(line) || ALT_COMMENT_PLURAL.test(line)) {
      return fail(number, 'malformed --comment line', "write '--comment <comment>'")
    }
    if (ALT_VALID_CHECK_SUM.test(line)) {
      return fail(number, 'malformed --validCheckSum line', "write '--validCheckSum <checksum>'")
    }
    if (ALT_ROLLBACK.test(line)) return fail(number, 'malformed --rollback line', "write '--rollback <SQL>'")
    if (ROLLBACK_START.test(line)) {
      // AFCLP:920-935: the block runs to a line ending in `*/`; none → "rollback comment is not closed".
      const end = lines.findIndex((candidate, at) => at > index && ROLLBACK_END.test(candidate))
      if (end < 0) return fail(number, 'the /* liquibase rollback comment is not closed', "close it with '*/'")
      index = end
      continue
    }
    if (ALT_PRECONDITIONS.test(line)) return fail(number, 'malformed --preconditions line', 'see --preconditions')
    const precondition = PRECONDITION.exec(line) ?? EMPTY_PRECONDITION.exec(line)
    if (precondition) {
      // FSCLP:101-133 and FSCLP:170-185: an unknown type, or a known one without its arguments, stops the parse.
      const known = PRECONDITION_TYPES.has(precondition[1])
      if (known && precondition[2] !== undefined) continue
      return fail(
        number,
        known
          ? `precondition-${clipped(precondition[1])} has no arguments`
          : `the '${clipped(precondition[1])}' precondition type is not supported`,
        'use precondition-sql-check, -table-exists or -view-exists with their arguments',
      )
    }
    if (ALT_PRECONDITION.test(line))
      return fail(number, 'malformed --precondition line', 'see --precondition-sql-check')
    sql += `${line}\n`
  }
  // The last changeset's SQL is only set when lines follow it (AFCLP:524-530). Until then its change holds what
  // the header line handed it (AFCLP:490-491): the previous changeset's SQL, or null for the first changeset.
  if (current && sql.trim() === '' && !current.ignored && !current.dbms) {
    const previous = changeSets.at(-2)
    if (!previous) {
      // AbstractSQLChange.java:122-126: null SQL fails validation with "'sql' is required" (ValidatingVisitor.java
      // :150-180), before anything runs.
      return fail(
        current.line,
        `changeset ${changesetName(current)} has no SQL: Liquibase fails validation ("'sql' is required")`,
        'add its SQL, or remove the empty changeset',
      )
    }
    return {
      changeSets,
      warning: {
        line: current.line,
        message: `changeset ${changesetName(current)} has no SQL of its own: Liquibase gives it the SQL of ${changesetName(previous)} and runs that a second time`,
        fix: 'add its SQL, or remove the empty changeset',
      },
    }
  }
  return { changeSets }
}

/** A line quoted in a message: trimmed, at most 120 characters (its start and end kept). */
const shown = (line: string): string => clipped(line.trim(), 120)

/** StringUtil.stripEnclosingQuotes. */
function stripQuotes(value: string): string {
  return value.length > 1 && /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
