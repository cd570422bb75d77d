import type { Problem, RuleCode } from '../problems.js'

/** A migration's name as its tool reads it. */
export interface MigrationName {
  /** Undefined for files without a version (Flyway repeatables). */
  readonly version?: string
  readonly description: string
  /** Flyway's prefix (V, U, B, R): versions are unique per kind. */
  readonly kind?: string
}

/** Tool settings that change which files matter (Liquibase's master changelog). */
export interface FormatOptions {
  readonly changelog?: string
}

/** Whether a file (slash path, relative to the directory) is already on the base branch. */
export type Established = (name: string) => boolean

/** A pair the tool refuses together: the file reported (the one to change) and the file it names. */
export interface RefusedPair<T> {
  readonly file: string
  readonly twin: string
  /** The entry of the reported file (its own version, for the message). */
  readonly reported: T
}

/**
 * Files the tool refuses in pairs (a second file of one version, description or callback name), in the tool's walk
 * order under the tool's own key. A pair is reported on the second file, unless that one is already on the base
 * branch and the first is not: then the pull request added the first, and the new file is the one to change (an
 * applied migration is never renamed). The base's file stays the one later files of the key pair with.
 */
export class PairFinder<T extends { readonly name: string }> {
  private readonly firsts = new Map<string, T>()

  constructor(private readonly established: Established | undefined) {}

  /** Undefined for the first file of a key; the pair for a later one. */
  see(key: string, entry: T): RefusedPair<T> | undefined {
    const first = this.firsts.get(key)
    if (first === undefined) {
      this.firsts.set(key, entry)
      return undefined
    }
    const flipped = this.established?.(entry.name) === true && !this.established(first.name)
    if (flipped) this.firsts.set(key, entry)
    return flipped
      ? { file: first.name, twin: entry.name, reported: first }
      : { file: entry.name, twin: first.name, reported: entry }
  }
}

/** What a tool's own rules see: every file name in the listing and the counted migrations. */
export interface RuleInput {
  readonly dir: string
  readonly options: FormatOptions
  /** The files already on the base branch, when it is known: a pair the tool refuses is reported on the new file. */
  readonly established?: Established
  /** Every file in the listing (slash paths). */
  readonly names: readonly string[]
  /** Every directory in the listing (top-level only for the tools that do not read sub-directories). */
  readonly directories: readonly string[]
  /** Counted files with their parsed names (undefined when the name did not parse). */
  readonly migrations: readonly { readonly name: string; readonly parsed?: MigrationName }[]
  /** Reads a file of the directory as UTF-8 text. */
  readonly read: (name: string) => string
  /** A problem on a file of the directory (and line), with its fix. */
  readonly problem: (
    code: RuleCode,
    name: string,
    message: string,
    fix: string,
    line?: number,
    severity?: Problem['severity'],
  ) => Problem
}

/** A tool's verdict on one file, in its own words: error where it fails, notice where it skips the file. */
export interface NameVerdict {
  /** The tool's rule that gives the verdict. */
  readonly code: RuleCode
  readonly severity: Problem['severity']
  readonly message: string
  readonly fix: string
}

/** A migration tool's directory layout: which files count for atlas.sum, in which order, and how names read. */
export interface MigrationFormat {
  readonly name: string
  /** Every rule code the format's problems carry (its `toolRules` declaration): `<name>/<rule>`, each once. */
  readonly ruleCodes: readonly RuleCode[]
  /** Whether files in sub-directories count (only Flyway's layout does). */
  readonly recursive: boolean
  /** The files that feed atlas.sum, in hashing order, from every file name in the listing (slash paths). */
  readonly select: (names: readonly string[]) => string[]
  /** Reads a counted file's name; undefined when it does not follow the tool's naming rule. */
  readonly parseName: (name: string) => MigrationName | undefined
  /** The tool's version order when it is not the hashing order (numeric tools). */
  readonly compareVersions?: (a: string, b: string) => number
  /** Versions that the tool treats as equal map to one key (Flyway: `1.1` and `1_1`; numeric: `01` and `1`). */
  readonly versionKey?: (version: string) => string
  /**
   * What the tool itself runs, when it is not the files atlas.sum hashes: the count and the latest version shown in
   * the reports, the `count` output and the image's labels (Flyway runs `.SQL` files and skips names it cannot read,
   * while Atlas's flyway format hashes by its own pattern). From every regular file of the listing (slash paths).
   */
  readonly toolMigrations?: (names: readonly string[]) => { readonly count: number; readonly latestVersion?: string }
  /** What the count counts, in the reports: `migration` unless the tool's unit is another (Liquibase: changeset). */
  readonly countUnit?: string
  /** The tool's own rules beyond naming and duplicates. */
  readonly rules?: (input: RuleInput) => Problem[] | Promise<Problem[]>
  /**
   * Rules and shipped files from one reading of the directory (Liquibase's changelog tree, built once per run): its
   * problems join the rules', and its files are shipped when the rules hold. Instead of `rules` and `shipped`.
   */
  readonly tree?: (input: RuleInput) => Promise<{
    readonly problems: Problem[]
    readonly shipped: string[]
    /** What the tool counts as migrations (Liquibase: its changesets), instead of the counted files. */
    readonly count?: number
  }>
  /** Files the image needs besides the counted ones (down files, changelogs), from the listing. */
  readonly shipped?: (names: readonly string[], dir: string, options: FormatOptions) => string[] | Promise<string[]>
  /** Why atlas.sum does not cover a shipped file (Atlas's format for the tool leaves it out); a default otherwise. */
  readonly uncoveredReason?: (name: string) => string
  /** What the tool does with a counted file whose name it does not read (default: an error naming `nameRule`). */
  readonly unreadName?: (name: string) => NameVerdict
  /** What the tool does with a second file of one version (default: an error); undefined when `rules` judge it. */
  readonly duplicateVersion?: (name: string, twin: string, version: string) => NameVerdict | undefined
  /** What happens to a top-level directory whose name the file selection matches (default: Atlas's hashing fails). */
  readonly directoryEntry?: (name: string) => NameVerdict
  /** The naming rule and an example, for error messages. */
  readonly nameRule: string
  readonly nameExample: string
}
