import { lstatSync, statSync } from 'node:fs'
import path from 'node:path'
import { DirectoryError, errnoCode } from '../errors.js'
import { getFormat, type FormatOptions, type MigrationFormat, type MigrationName } from './formats/index.js'
import { PairFinder, type Established, type RuleInput } from './formats/format.js'
import { hashDirectory, type HashedFile } from './hash.js'
import type { Problem } from './problems.js'
import type { SafetyReport } from '../safety/analyze.js'
import { DEFAULT_MAX_FILE_SIZE, readTextBounded } from './safe-read.js'
import { showName } from '../escape.js'
import { hasControlCharacter } from '../text.js'
import { listDirectory, type DirEntry } from './scan.js'
import {
  firstDifference,
  parseSumFile,
  renderSumFile,
  SUM_FILE,
  sumTotal,
  type ChecksumDifference,
  type SumEntry,
} from './sum-file.js'

export interface Migration {
  /** Slash path relative to the directory. */
  readonly name: string
  readonly version?: string
  readonly description?: string
  readonly size: number
  readonly ignored: boolean
}

export interface Validation {
  readonly dir: string
  readonly format: string
  readonly sumPath: string
  /** Counted files in the tool's version order (atlas.sum order is `entries`). */
  readonly migrations: Migration[]
  /** Entries as `atlas migrate hash` would write them now. */
  readonly entries: SumEntry[]
  /** `h1:` total of the recomputed directory. */
  readonly checksum: string
  /** atlas.sum as it should read (what `hash` writes). */
  readonly sumFile: string
  /** The first difference Atlas would report, when atlas.sum is outdated. */
  readonly difference?: ChecksumDifference
  readonly problems: Problem[]
  readonly valid: boolean
  /** How many migrations the tool runs (usually `migrations.length`; Flyway's own count where it differs). */
  readonly count: number
  /** What `count` counts (`migration`, or Liquibase's `changeset`). */
  readonly countUnit: string
  readonly latestVersion?: string
  /** Files the image needs besides the migrations (down files, changelogs). */
  readonly shipped: string[]
  /** Shipped files that atlas.sum does not hash, with the reason (Atlas's format for the tool leaves them out). */
  readonly uncovered: UncoveredFile[]
  /** Counted files with CRLF line endings (a checkout that converted them changes every hash). */
  readonly crlf: readonly string[]
  /**
   * The problems (of `problems`) that make atlas.sum impossible to write as Atlas would: a name it cannot hold, a
   * link it would read through, a directory it would fail to read. `hash` refuses to write while any is there.
   */
  readonly unhashable: Problem[]
  /** Deploy safety's reading of the new migrations, when it ran (the pipeline adds it after the tool's rules). */
  readonly safety?: SafetyReport
}

export interface UncoveredFile {
  readonly name: string
  readonly reason: string
}

const hasErrors = (problems: readonly Problem[]): boolean => problems.some(({ severity }) => severity === 'error')

/** The same directory judged with more problems (the base-branch rules). */
export function withProblems(validation: Validation, extra: readonly Problem[]): Validation {
  const problems = [...validation.problems, ...extra]
  return { ...validation, problems, valid: !hasErrors(problems) }
}

/** The command that rewrites atlas.sum for this directory's format (every format is also a tool's name). */
const REHASH = (dir: string, format: string): string =>
  format === 'atlas'
    ? `run 'migration-image hash ${dir}' (or 'atlas migrate hash') and commit atlas.sum`
    : `run 'migration-image hash ${dir} --tool ${format}' (or 'atlas migrate hash --dir "file://${dir}?format=${format}"') and commit atlas.sum`

/** Whether a directory without atlas.sum fails (`required`) or gets a notice (`optional`). */
export type ChecksumPolicy = 'required' | 'optional'

export interface ValidateOptions {
  readonly format?: string
  /** optional: a missing atlas.sum is a notice (the default for tools other than atlas). */
  readonly checksum?: ChecksumPolicy
  /** Liquibase's master changelog, when it is not one of the usual names. */
  readonly changelog?: string
  /** Per-file size limit in bytes (default 64 MB): every read is bounded by it. */
  readonly maxFileSize?: number
  /** The files already on the base branch, when it is known: two files of one version are reported on the new one. */
  readonly established?: Established
}

/** Reads, hashes and checks a migrations directory the way `atlas migrate validate` does, plus the tool's rules. */
export async function validateDirectory(dir: string, options: ValidateOptions = {}): Promise<Validation> {
  const format = getFormat(options.format ?? 'atlas')
  const policy = options.checksum ?? (format.name === 'atlas' ? 'required' : 'optional')
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
  const listed = await listDirectory(dir, format.recursive)
  // A name with a control character (a newline, ESC…) is refused by name: Atlas cannot hold it in atlas.sum, and it
  // must never reach a log line. The rest of the run does not see it.
  const listing = listed.filter(({ name }) => !hasControlCharacter(name))
  const counted = format.select(listing.filter(({ kind }) => kind !== 'directory').map(({ name }) => name))
  const unhashable: Problem[] = [
    ...controlCharacterProblems(dir, listed),
    ...entryProblems(dir, listing, new Set(counted), format.recursive),
    ...directoryProblems(dir, listing, format),
  ]
  const problems: Problem[] = [...unhashable]
  const unread = new Set(listing.filter(({ kind }) => kind !== 'file').map(({ name }) => name))
  const hashed = hashDirectory(dir, counted, { maxFileSize: limit, unread })
  const parsed = hashed.files.map((file) => format.parseName(path.posix.basename(file.name)))
  const described = hashed.files.map((file, index) => describe(file, parsed[index]))
  problems.push(...fileProblems(dir, hashed.files, parsed, format, options.established))
  const formatOptions: FormatOptions = { changelog: options.changelog }
  // The tools' own rules and shipped files see regular files only: a rule that opens a name (Liquibase's changelog
  // tree) can then never be sent through a link or into a FIFO; a linked changelog reads as missing.
  const fileNames = listing.filter(({ kind }) => kind === 'file').map(({ name }) => name)
  const ruleInput: RuleInput = {
    dir,
    options: formatOptions,
    established: options.established,
    names: fileNames,
    directories: listing.filter(({ kind }) => kind === 'directory').map(({ name }) => name),
    migrations: hashed.files.map((file, index) => ({ name: file.name, parsed: parsed[index] })),
    // Bounded by max-file-size and never through a link: a rule reading a link or a FIFO gets a typed error naming
    // the file.
    read: (name) => readTextBounded(path.join(dir, name), limit, dir),
    problem: (code, name, message, fix, line, severity = 'error') => ({
      code,
      severity,
      file: path.join(dir, name),
      line,
      message,
      fix,
    }),
  }
  if (format.rules) problems.push(...(await format.rules(ruleInput)))
  const tree = format.tree ? await format.tree(ruleInput) : undefined
  if (tree) problems.push(...tree.problems)
  const migrations = inToolOrder(described, format)
  // Shipped files (e.g. Liquibase's tree) count only when the tool's own rules hold.
  const rulesHold = !hasErrors(problems)
  const shipped = !rulesHold
    ? []
    : tree
      ? tree.shipped
      : format.shipped
        ? await format.shipped(fileNames, dir, formatOptions)
        : []
  const sumPath = path.join(dir, SUM_FILE)
  const checksum = `h1:${sumTotal(hashed.entries)}`
  // A link that was not read cannot be hashed as Atlas would (it reads through it): its own problem says so.
  const allRead = hashed.files.every((file) => !file.unread)
  const sumProblem = allRead
    ? checkSumFile(dir, format.name, sumPath, counted.length, hashed.entries, policy, limit)
    : undefined
  if (sumProblem) problems.push(...withLineEndingHint(sumProblem.problem, dir, hashed.files))

  return {
    dir,
    format: format.name,
    sumPath,
    migrations,
    entries: hashed.entries,
    checksum,
    sumFile: renderSumFile(hashed.entries),
    difference: sumProblem?.difference,
    problems,
    valid: !hasErrors(problems),
    countUnit: format.countUnit ?? 'migration',
    ...(format.toolMigrations?.(fileNames) ?? {
      count: tree?.count ?? migrations.length,
      latestVersion: migrations.findLast(({ version }) => version !== undefined)?.version,
    }),
    shipped,
    uncovered: uncoveredFiles(format, shipped, hashed.entries),
    crlf: hashed.files.filter(({ crlf }) => crlf).map(({ name }) => name),
    unhashable,
  }
}

/** Shipped files without an atlas.sum entry: not counted by the format, or counted but `atlas:sum ignore`d. */
function uncoveredFiles(
  format: MigrationFormat,
  shipped: readonly string[],
  entries: readonly SumEntry[],
): UncoveredFile[] {
  const hashed = new Set(entries.map(({ name }) => name))
  return shipped
    .filter((name) => !hashed.has(name))
    .map((name) => ({
      name,
      reason: format.uncoveredReason?.(name) ?? `Atlas's ${format.name} format does not hash this file`,
    }))
}

/** The tool's own order (numeric for some tools); files whose name does not parse keep their place at the end. */
function inToolOrder(migrations: Migration[], format: MigrationFormat): Migration[] {
  const { compareVersions } = format
  if (!compareVersions) return migrations
  const versioned = migrations.filter((migration) => migration.version !== undefined)
  const rest = migrations.filter((migration) => migration.version === undefined)
  return [...versioned.sort((a, b) => compareVersions(a.version!, b.version!)), ...rest]
}

function describe(file: HashedFile, parsed: MigrationName | undefined): Migration {
  return {
    name: file.name,
    version: parsed?.version,
    description: parsed?.description,
    size: file.size,
    ignored: file.ignored,
  }
}

function controlCharacterProblems(dir: string, listing: readonly DirEntry[]): Problem[] {
  return listing
    .filter(({ name }) => hasControlCharacter(name))
    .map(({ name }) => ({
      code: 'bad-name' as const,
      severity: 'error' as const,
      file: path.join(dir, showName(name)),
      message: 'file name holds a control character (newline, tab, escape…); atlas.sum cannot hold it',
      fix: 'rename it with printable characters only',
    }))
}

function entryProblems(
  dir: string,
  listing: readonly DirEntry[],
  counted: ReadonlySet<string>,
  recursive: boolean,
): Problem[] {
  const problems: Problem[] = []
  for (const { name, kind } of listing) {
    if (!counted.has(name)) {
      // A linked sub-folder in a tool that reads sub-folders: the tool may read it, this check cannot (links are
      // never followed), so it is reported instead of silently skipped.
      if (recursive && kind === 'symlink' && isDirectoryBehind(path.join(dir, name))) {
        problems.push({
          code: 'symlink',
          severity: 'error',
          file: path.join(dir, name),
          message: 'is a symlink to a directory; links are never followed, so its migrations are not checked',
          fix: 'replace the link with the directory itself',
        })
      }
      continue
    }
    const file = path.join(dir, name)
    if (kind === 'symlink') {
      problems.push({
        code: 'symlink',
        severity: 'error',
        file,
        message: 'is a symlink; it could pull a file from outside the directory into the image',
        fix: 'replace the link with the file itself',
      })
    } else if (kind === 'other') {
      throw new DirectoryError('is not a regular file (a fifo, socket or device)', { file, fix: 'remove it' })
    }
  }
  return problems
}

/**
 * A top-level directory whose name the file selection matches (`x.sql`): Atlas lists it with its glob and then fails
 * reading it as a file (ariga/atlas v1.2.3 sql/migrate/dir.go:146-158, sql/sqltool/tool.go:102-115).
 */
function directoryProblems(dir: string, listing: readonly DirEntry[], format: MigrationFormat): Problem[] {
  if (format.recursive) return []
  const directories = listing.filter(({ kind, name }) => kind === 'directory' && !name.includes('/'))
  return format.select(directories.map(({ name }) => name)).map((name) => {
    const verdict = format.directoryEntry?.(name) ?? {
      code: 'not-regular' as const,
      severity: 'warning' as const,
      message: `is a directory named like a migration: 'atlas migrate hash --dir "file://DIR?format=${format.name}"' fails reading it`,
      fix: 'rename the directory or move it out of the migrations directory',
    }
    return { file: path.join(dir, name), ...verdict }
  })
}

function fileProblems(
  dir: string,
  files: readonly HashedFile[],
  parsed: readonly (MigrationName | undefined)[],
  format: MigrationFormat,
  established: Established | undefined,
): Problem[] {
  const problems: Problem[] = []
  const byVersion = new PairFinder<{ readonly name: string; readonly version: string }>(established)
  for (const [index, file] of files.entries()) {
    const at = path.join(dir, file.name)
    const name = parsed[index]
    if (file.binary) {
      problems.push({
        code: 'binary',
        severity: 'error',
        file: at,
        message: 'holds NUL bytes: it is binary, not SQL',
        fix: 'remove it or save it as UTF-8 text',
      })
    }
    if (name === undefined) {
      const verdict = format.unreadName?.(file.name) ?? {
        code: 'bad-name' as const,
        severity: 'error' as const,
        message: `file name does not match ${format.nameRule}`,
        fix: `rename it like ${format.nameExample}`,
      }
      problems.push({ file: at, ...verdict })
      continue
    }
    if (name.version === undefined) continue
    const key = `${name.kind ?? ''}:${format.versionKey ? format.versionKey(name.version) : name.version}`
    const pair = byVersion.see(key, { name: file.name, version: name.version })
    if (pair !== undefined) {
      const { version } = pair.reported
      const verdict = format.duplicateVersion
        ? format.duplicateVersion(pair.file, pair.twin, version)
        : {
            code: 'duplicate-version' as const,
            severity: 'error' as const,
            message: `version ${version} is also used by ${pair.twin}`,
            fix: 'give one of them a new, higher version',
          }
      if (verdict) problems.push({ file: path.join(dir, pair.file), ...verdict, twin: pair.twin })
    }
  }
  return problems
}

function checkSumFile(
  dir: string,
  format: string,
  sumPath: string,
  countedFiles: number,
  entries: readonly SumEntry[],
  policy: ChecksumPolicy,
  limit: number,
): { problem: Problem; difference?: ChecksumDifference } | undefined {
  // atlas.sum is read like a migration: never through a link, never a special file, within the size limit.
  const text = entryExists(sumPath) ? readTextBounded(sumPath, limit, dir) : undefined
  if (text === undefined) {
    if (countedFiles === 0) return undefined
    const optional = policy === 'optional'
    return {
      problem: {
        code: 'checksum-not-found',
        severity: optional ? 'notice' : 'error',
        file: sumPath,
        message: optional
          ? 'no atlas.sum: the migrations are not protected against edits after they are applied'
          : 'checksum file not found',
        fix: optional ? `run 'migration-image hash ${dir} --tool ${format}' and commit atlas.sum` : REHASH(dir, format),
      },
    }
  }
  const parsed = parseSumFile(text)
  // git's conflict markers: the total on line 1 always differs between two branches, so a conflicted atlas.sum
  // starts with one. Atlas reads line 1 as the total and fails on a later line; the marker is where to look.
  const conflictAt = text.split('\n').findIndex((line) => /^(<{7}|={7}|>{7})(?: |\r?$)/.test(line))
  if ((!parsed.ok && parsed.error === 'format') || conflictAt !== -1) {
    const conflict = conflictAt !== -1
    return {
      problem: {
        code: 'checksum-format',
        severity: 'error',
        file: sumPath,
        line: conflict ? conflictAt + 1 : !parsed.ok && parsed.error === 'format' ? parsed.line : undefined,
        message: conflict
          ? 'checksum file format invalid: it holds a git conflict marker'
          : 'checksum file format invalid: a line has no h1: hash',
        fix: conflict ? `rebase, then ${REHASH(dir, format)} (never merge atlas.sum by hand)` : REHASH(dir, format),
      },
    }
  }
  if (!parsed.ok) {
    return {
      problem: {
        code: 'checksum-mismatch',
        severity: 'error',
        file: sumPath,
        line: 1,
        message:
          text.length === 0
            ? 'checksum mismatch: the file is empty'
            : 'checksum mismatch: line 1 does not sum the entries below it',
        fix: REHASH(dir, format),
      },
    }
  }
  if (parsed.total === sumTotal(entries)) return undefined
  const difference = firstDifference(parsed.entries, entries)
  return {
    difference,
    problem: {
      code: 'checksum-changed',
      severity: 'error',
      file: sumPath,
      // The line the message names (L3); a file added after the last entry is named at the line after it.
      line: difference ? Math.min(difference.line, parsed.entries.length + 1) : 1,
      message: difference
        ? `checksum error: L${difference.line}: ${showName(difference.name)} was ${difference.change}`
        : 'checksum error: the directory no longer matches atlas.sum',
      fix: REHASH(dir, format),
    },
  }
}

function entryExists(file: string): boolean {
  try {
    lstatSync(file)
    return true
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false
    throw new DirectoryError('cannot be read', { file })
  }
}

function isDirectoryBehind(link: string): boolean {
  try {
    return statSync(link).isDirectory()
  } catch {
    return false
  }
}

/** CRLF checkouts and BOMs change every hash; when a sum check fails with them present, say so. */
function withLineEndingHint(problem: Problem, dir: string, files: readonly HashedFile[]): Problem[] {
  if (problem.code === 'checksum-not-found') return [problem]
  const crlf = files.filter(({ crlf }) => crlf).map(({ name }) => name)
  const bom = files.filter(({ bom }) => bom).map(({ name }) => name)
  if (crlf.length === 0 && bom.length === 0) return [problem]
  const list = (names: string[]): string =>
    names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '')
  const found = [
    crlf.length > 0 ? `CRLF line endings in ${list(crlf)}` : '',
    bom.length > 0 ? `a UTF-8 BOM in ${list(bom)}` : '',
  ].filter(Boolean)
  // Re-hashing over converted line endings writes an atlas.sum that fails on every other checkout: the fix is the
  // line endings first.
  const fixed =
    crlf.length > 0
      ? {
          ...problem,
          fix: `fix the line endings first (see the warning on ${crlf[0]}): if a checkout converted them, re-hashing now writes an atlas.sum that fails on every LF checkout; re-hash only if it still fails after that`,
        }
      : problem
  return [
    fixed,
    {
      code: 'line-endings',
      severity: 'warning',
      file: path.join(dir, crlf[0] ?? bom[0]),
      message: `${found.join(' and ')}: hashes cover raw bytes, so a checkout that converts line endings breaks atlas.sum`,
      fix: "add '*.sql text eol=lf' and 'atlas.sum text eol=lf' to .gitattributes, run 'git add --renormalize .' and check out again",
    },
  ]
}
