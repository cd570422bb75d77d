/*
 * One Liquibase changelog as the walk sees it, whatever its syntax: its includes, changesets, sqlFile targets and
 * properties files (liquibase/liquibase v4.33.0, liquibase-standard/src/main/java/liquibase/changelog/
 * DatabaseChangeLog.java, DCL below), and the error a parser raises on the file.
 */
import { MAX_ELEMENTS, YAML_NESTING_LIMIT } from './liquibase-limits.js'
import type { LiquibaseRule } from './liquibase-rules.js'
import { clipped } from '../../text.js'

export type Kind = 'xml' | 'yaml' | 'json' | 'sql' | 'unknown'

/**
 * The parser Liquibase picks (ChangeLogParserFactory.java:50-60, by priority): XML when the lower-cased name ends in
 * `xml` (XMLChangeLogSAXParser.java:64-66, no dot), YAML `.yaml`/`.yml` and JSON `.json`
 * (parser/core/ParserSupportedFileExtension.java:17-19, YamlParser.java:26-31), SQL `.sql` (formatted or raw, both
 * case-insensitive: FormattedSqlChangeLogParser.java:65-67, SqlChangeLogParser.java:38-40). Anything else has no
 * parser: UnknownChangelogFormatException.
 */
export function kindOf(name: string): Kind {
  const lower = name.toLowerCase()
  if (lower.endsWith('xml')) return 'xml'
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml'
  if (lower.endsWith('.json')) return 'json'
  if (lower.endsWith('.sql')) return 'sql'
  return 'unknown'
}

export interface Include {
  readonly path: string
  readonly all: boolean
  readonly relative: boolean
  /** include: errorIfMissing (DCL:647-648); includeAll: errorIfMissingOrEmpty (DCL:620-621). Both default true. */
  readonly errorIfMissing: boolean
  /** includeAll's endsWithFilter (DCL:630). */
  readonly endsWith: string
  /** logicalFilePath on the include: the included changesets' identity path (DCL:1129-1147). */
  readonly logicalPath?: string
  readonly line?: number
}

export interface SqlFileRef {
  readonly path: string
  readonly relative: boolean
  /** Inside a rollback: read only by `rollback`, not validated before `update`. */
  readonly rollback: boolean
  readonly line?: number
}

export interface ChangeSetRef {
  readonly id: string
  readonly author: string
  /** logicalFilePath set on the changeset: its identity's path instead of the file's. */
  readonly logicalPath?: string
  readonly line?: number
  readonly ignored: boolean
  readonly dbms: boolean
  /** The changeset's own entries (its changes, rollback, comment…), in order: what deploy safety reads. */
  readonly changes?: readonly Entry[]
  /** runInTransaction (default true, ChangeSet.java:440): the changeset's changes run in one transaction. */
  readonly runInTransaction?: boolean
}

/** A changeset as messages name it, `author:id`, each part quoted at most QUOTED_MAX characters. */
export const changesetName = ({ author, id }: { readonly author: string; readonly id: string }): string =>
  `${clipped(author)}:${clipped(id)}`

export interface PropertyFile {
  readonly file: string
  readonly relative: boolean
  readonly errorIfMissing: boolean
  readonly line?: number
}

export interface Changelog {
  readonly includes: Include[]
  readonly changeSets: ChangeSetRef[]
  readonly sqlFiles: SqlFileRef[]
  readonly properties: PropertyFile[]
}

export interface ParseFailure {
  readonly message: string
  readonly line?: number
  readonly fix: string
  /** The rule, when it is not a parse error (a schema violation). */
  readonly rule?: LiquibaseRule
}

export class ChangelogError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly fix = 'fix the changelog syntax',
  ) {
    super(message)
  }
}

export const empty = (): Changelog => ({ includes: [], changeSets: [], sqlFiles: [], properties: [] })

/**
 * ParsedNode.getChildValue(…, Boolean) converts with Boolean.valueOf(value.toString()) (parser/core/ParsedNode.java
 * :257-258): only `true` (any case) is true; an absent attribute keeps the default.
 */
export function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  return text(value)?.toLowerCase() === 'true'
}

/** A scalar attribute as text; lists and maps are not one. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return undefined
}

/** One changelog entry, whatever the syntax: its name, attributes, nested entries and line. */
export interface Entry {
  readonly name: string
  /** The XML tag as written (with its namespace prefix). */
  readonly tag?: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly children: readonly Entry[]
  readonly line?: number
  /** The element's text (XML: `<sql>…</sql>`), where it has any. */
  readonly text?: string
}

/** What the entries under databaseChangeLog say (DCL:467-507 handleChildNodeHelper). */
export function readEntries(entries: readonly Entry[]): Changelog {
  const changelog = empty()
  for (const entry of entries) {
    const a = entry.attributes
    if (entry.name === 'include') {
      const file = text(a.file)
      // DCL:637-639: an include without `file` stops Liquibase.
      if (file === undefined) throw new ChangelogError("an include has no 'file' attribute", entry.line)
      changelog.includes.push({
        path: file.replaceAll('\\', '/'),
        all: false,
        relative: flag(a.relativeToChangelogFile, false),
        errorIfMissing: flag(a.errorIfMissing, true),
        endsWith: '',
        logicalPath: text(a.logicalFilePath) || undefined,
        line: entry.line,
      })
    } else if (entry.name === 'includeAll') {
      const dir = text(a.path)
      // DCL:832-834: "No path attribute for includeAll".
      if (dir === undefined) throw new ChangelogError("an includeAll has no 'path' attribute", entry.line)
      changelog.includes.push({
        path: dir.replaceAll('\\', '/'),
        all: true,
        relative: flag(a.relativeToChangelogFile, false),
        errorIfMissing: flag(a.errorIfMissingOrEmpty, true),
        endsWith: (text(a.endsWithFilter) ?? '').trim(),
        logicalPath: text(a.logicalFilePath) || undefined,
        line: entry.line,
      })
    } else if (entry.name === 'property') {
      const file = text(a.file)
      // DCL:527-556: a properties file, missing → error unless errorIfMissing is false.
      if (file !== undefined)
        changelog.properties.push({
          file,
          relative: flag(a.relativeToChangelogFile, false),
          errorIfMissing: flag(a.errorIfMissing, true),
          line: entry.line,
        })
    } else if (entry.name === 'changeSet') {
      changelog.changeSets.push({
        id: text(a.id) ?? '',
        author: text(a.author) ?? '',
        logicalPath: text(a.logicalFilePath) || undefined,
        line: entry.line,
        ignored: flag(a.ignore, false),
        dbms: text(a.dbms) !== undefined,
        changes: entry.children,
        runInTransaction: flag(a.runInTransaction, true),
      })
      const walk = (children: readonly Entry[], rollback: boolean): void => {
        for (const child of children) {
          if (child.name === 'sqlFile') {
            const target = text(child.attributes.path)
            if (target !== undefined)
              changelog.sqlFiles.push({
                path: target,
                relative: flag(child.attributes.relativeToChangelogFile, false),
                rollback,
                line: child.line ?? entry.line,
              })
          }
          walk(child.children, rollback || child.name === 'rollback')
        }
      }
      walk(entry.children, false)
    }
  }
  return changelog
}

export const nestedTooDeep = (line?: number): ChangelogError =>
  new ChangelogError(
    `nests collections deeper than ${YAML_NESTING_LIMIT} levels: Liquibase's YAML parser stops ("Nesting Depth exceeded max ${YAML_NESTING_LIMIT}")`,
    line,
    'flatten the changelog',
  )

export const tooManyElements = (): ChangelogError =>
  new ChangelogError(
    `holds more than ${MAX_ELEMENTS} elements, more than this check reads in one changelog`,
    undefined,
    'split it into several changelogs and include them',
  )

/** How much of a parser's own words a message quotes (parsers echo the input: a tag, a value). */
const PARSER_WORDS_MAX = 300

/** A parser's message quoted in ours: at most PARSER_WORDS_MAX characters. */
export const parserWords = (message: string): string => clipped(message, PARSER_WORDS_MAX)

/** An exception's message, its first line, as parserWords quotes it. */
export const firstLine = (error: unknown): string =>
  parserWords((error instanceof Error ? error.message : String(error)).split('\n')[0].trim())
