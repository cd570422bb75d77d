import { ChangelogError, empty, firstLine, kindOf, type Changelog, type ParseFailure } from './liquibase-changelog.js'
import { isFormattedSql, readFormattedSql } from './liquibase-sql.js'
import { readXml } from './liquibase-xml.js'
import { readYaml } from './liquibase-yaml.js'

/*
 * Parse: one changelog's text to what Liquibase reads in it, by the parser it picks
 * (liquibase/liquibase v4.33.0, parser/ChangeLogParserFactory.java:50-60): XML (./liquibase-xml.ts), YAML and JSON
 * (./liquibase-yaml.ts), formatted SQL (./liquibase-sql.ts), raw SQL (parser/core/sql/SqlChangeLogParser.java).
 */

/** What the parser Liquibase picks reads in a changelog, or what it stops at. */
export interface ParsedChangelog {
  readonly changelog: Changelog
  readonly failures?: readonly ParseFailure[]
  readonly warning?: ParseFailure
}

/**
 * A changelog read by the parser Liquibase would pick (by its name, `kindOf`), or what it stops at. `source` is the
 * file's text; any exception a parser throws on it becomes the file's failure, never the run's.
 */
export async function parseChangelog(name: string, text: string): Promise<ParsedChangelog> {
  // BomAwareInputStream (XMLChangeLogSAXParser.java:127) and StreamUtil drop a byte order mark.
  const source = text.replace(/^\uFEFF/, '')
  try {
    switch (kindOf(name)) {
      case 'xml': {
        return await readXml(name, source)
      }
      case 'yaml':
      case 'json':
        return { changelog: await readYaml(source) }
      case 'sql': {
        if (!isFormattedSql(source)) {
          // SqlChangeLogParser.java:60-67: an empty file stops the parse; otherwise the whole file is one changeset
          // whose SQL must not be blank (AbstractSQLChange.java:122-126).
          if (source.trim() === '')
            return {
              changelog: empty(),
              failures: [
                {
                  message: 'is empty: Liquibase stops with "Unable to parse empty file"',
                  fix: 'add SQL, or remove the file and its include',
                },
              ],
            }
          // SqlChangeLogParser.java:79-86: one changeset, its id made from the path, author "includeAll".
          return {
            changelog: {
              ...empty(),
              changeSets: [{ id: `raw:${name}`, author: 'includeAll', ignored: false, dbms: false }],
            },
          }
        }
        const sql = readFormattedSql(source)
        const changelog = { ...empty(), changeSets: sql.changeSets }
        return sql.error ? { changelog, failures: [sql.error] } : { changelog, warning: sql.warning }
      }
      default:
        return { changelog: empty() }
    }
  } catch (error) {
    if (error instanceof ChangelogError)
      return { changelog: empty(), failures: [{ message: error.message, line: error.line, fix: error.fix }] }
    // Whatever else a parser throws on a hostile file (a RangeError from recursion, …) is that file's error.
    if (error instanceof Error)
      return {
        changelog: empty(),
        failures: [{ message: `cannot be parsed: ${firstLine(error)}`, fix: 'fix the changelog syntax' }],
      }
    throw error
  }
}
