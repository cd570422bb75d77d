/** A migration tool's directory layout: which files count for atlas.sum, in which order, and how names read. */

export interface MigrationName {
  readonly version: string
  readonly description: string
}

export interface MigrationFormat {
  readonly name: string
  /** Whether files in sub-directories count (only Flyway's layout does). */
  readonly recursive: boolean
  /** The files that feed atlas.sum, in hashing order, from every file name in the listing (slash paths). */
  select(names: readonly string[]): string[]
  /** Reads a counted file's name; undefined when it does not follow the tool's naming rule. */
  parseName(name: string): MigrationName | undefined
  /** The tool's version order when it is not the hashing order (numeric tools); versions come from parseName. */
  readonly compareVersions?: (a: string, b: string) => number
  /** The naming rule and an example, for error messages. */
  readonly nameRule: string
  readonly nameExample: string
}
