import { DirectoryError, errnoCode, MigrationImageError } from '../../errors.js'
import type { Problem } from '../problems.js'
import type { RuleInput } from './format.js'
import { clipped } from '../../text.js'
import {
  changesetName,
  kindOf,
  type Changelog,
  type Include,
  type PropertyFile,
  type SqlFileRef,
} from './liquibase-changelog.js'
import { parseChangelog, type ParsedChangelog } from './liquibase-parse.js'
import { RULE } from './liquibase-rules.js'
import path from 'node:path'

/*
 * Walk: the changelog tree from the master, the way DatabaseChangeLog loads it (liquibase/liquibase v4.33.0,
 * liquibase-standard/src/main/java/liquibase/changelog/DatabaseChangeLog.java, DCL below; changelog/visitor/
 * ValidatingVisitor.java, VV), one handler per kind of reference. Each changelog is read (through the run's bounded
 * reader, so max-file-size applies) and parsed once.
 */

export type ProblemFactory = RuleInput['problem']

export interface Tree {
  /** Changelogs in the order Liquibase loads them (master first), then sqlFile targets and properties files. */
  readonly files: string[]
  readonly problems: Problem[]
  /** The changesets Liquibase loads and would run on a new database (not ignored; dbms-filtered ones included). */
  readonly changeSets: number
}

/** A changelog's text through the run's reader (bounded by max-file-size, never through a link), then parsed. */
async function readAndParse(name: string, read: RuleInput['read']): Promise<ParsedChangelog> {
  let text: string
  try {
    text = read(name)
  } catch (error) {
    if (error instanceof DirectoryError)
      return {
        changelog: { includes: [], changeSets: [], sqlFiles: [], properties: [] },
        failures: [{ message: error.message, fix: error.fix ?? 'fix the file' }],
      }
    throw new MigrationImageError(`cannot be read (${errnoCode(error) ?? String(error)})`, { file: name })
  }
  return parseChangelog(name, text)
}

/** Follows the master changelog (named by the format) as DatabaseChangeLog does, collecting what it reads and refuses. */
export async function changelogTree(
  master: string,
  names: readonly string[],
  read: RuleInput['read'],
  problem: ProblemFactory,
): Promise<Tree> {
  const problems: Problem[] = []
  const loaded = new Set<string>()
  const walk: Walk = {
    names,
    available: new Set(names),
    problem,
    problems,
    extra: new Set<string>(),
    seen: new Map<string, string>(),
    dbmsChangeSets: 0,
    queue: [{ name: master }],
  }
  const { queue, extra } = walk
  /** Each load of a file under the identity path its changesets get. */
  const loads = new Set<string>()
  /** Whether loading a file again adds changesets (its own, or through its includes). */
  const contributes = new Map<string, boolean>()
  while (queue.length > 0) {
    const { name, from, line, logicalPath } = queue.shift()!
    const load = `${logicalPath ?? ''}\0${name}`
    if (loaded.has(name) && !contributes.get(name)) continue // nothing to run twice
    if (loaded.has(name) && !loads.has(load)) {
      // Under another logicalFilePath the changesets are new ones to Liquibase: it validates, and runs them again.
      loads.add(load)
      problems.push(
        problem(
          RULE.includeAgainLogicalPath,
          from ?? name,
          `includes ${clipped(name)} again under another logicalFilePath: Liquibase runs its changesets a second time`,
          'include each changelog once',
          line,
          'warning',
        ),
      )
      continue
    }
    loads.add(load)
    if (loaded.has(name) && contributes.get(name)) {
      // Liquibase has no include-once rule: the file's changesets load again under the same path, and validation
      // reports them as duplicates (VV:134-140, checked at VV:209-211).
      problems.push(
        problem(
          RULE.includeTwice,
          from ?? name,
          `includes ${clipped(name)} a second time: Liquibase fails validation with duplicate changesets`,
          'include each changelog once',
          line,
        ),
      )
      continue
    }
    loaded.add(name)
    const { changelog, failures = [], warning } = await readAndParse(name, read)
    if (failures.length > 0) {
      for (const failure of failures)
        problems.push(problem(failure.rule ?? RULE.parseError, name, failure.message, failure.fix, failure.line))
      continue
    }
    if (warning) problems.push(problem(RULE.parseWarning, name, warning.message, warning.fix, warning.line, 'warning'))
    contributes.set(name, changelog.includes.length > 0 || changelog.changeSets.some(({ ignored }) => !ignored))
    checkChangeSets(walk, name, changelog)
    followSqlFiles(walk, name, changelog.sqlFiles)
    followProperties(walk, name, changelog.properties)
    followIncludes(walk, name, changelog.includes)
  }
  for (const name of loaded) extra.delete(name)
  return { files: [...loaded, ...extra], problems, changeSets: walk.seen.size + walk.dbmsChangeSets }
}

/**
 * Where an include points, as a slash path inside the directory. Non-relative paths resolve against Liquibase's
 * search path, which the image sets to the migrations directory; relative ones against the including file
 * (DCL:1047-1054 resolveSibling + normalizePath). undefined: the path leaves the directory.
 */
export function resolve(from: string, target: string, relative: boolean): string | undefined {
  const cleaned = target.replace(/^classpath\*?:/, '').replaceAll('\\', '/')
  // A leading `/` does not make a path absolute: Liquibase looks it up in the search path too (a real Liquibase does
  // not find `/liquibase/changelog/x.sql` in the search path /liquibase/changelog).
  const joined = relative ? path.posix.join(path.posix.dirname(from), cleaned) : cleaned.replace(/^\/+/, '')
  const normal = path.posix
    .normalize(joined)
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '')
  if (normal === '..' || normal.startsWith('../') || path.posix.isAbsolute(normal)) return undefined
  return normal === '.' ? '' : normal
}

/** `${name}` in a path: Liquibase expands changelog properties there (DCL:469 expandExpressions) at run time. */
const hasProperty = (text: string): boolean => text.includes('${')

/** One load of a changelog: where it is included from, and the identity path its changesets get. */
interface Load {
  readonly name: string
  readonly from?: string
  readonly line?: number
  readonly logicalPath?: string
}

/** What the walk shares: the listing, what it found so far, and the loads still to do. */
interface Walk {
  readonly names: readonly string[]
  readonly available: ReadonlySet<string>
  readonly problem: ProblemFactory
  readonly problems: Problem[]
  /** sqlFile targets and properties files the image needs. */
  readonly extra: Set<string>
  /** filePath::id::author of every changeset Liquibase validates (ChangeSet.java:1252-1255, VV:134-140). */
  readonly seen: Map<string, string>
  /** dbms-filtered changesets: run where the database matches, so counted, though not validated here. */
  dbmsChangeSets: number
  readonly queue: Load[]
}

/** The changesets of one changelog: what ValidatingVisitor checks before anything runs. */
function checkChangeSets(walk: Walk, name: string, changelog: Changelog): void {
  const { problem, problems, seen } = walk
  for (const changeSet of changelog.changeSets) {
    if (changeSet.ignored) continue // VV:99-102: ignored changesets are not validated.
    // VV:188-206 areChangeSetAttributesValid (strict mode is off by default): the id must not be blank.
    if (changeSet.id.trim() === '') {
      problems.push(
        problem(
          RULE.changesetWithoutId,
          name,
          changeSet.author === '' ? 'a changeset has no id and no author' : 'a changeset has no id',
          'give every changeset an id (and an author)',
          changeSet.line,
        ),
      )
      continue
    }
    if (changeSet.dbms) {
      walk.dbmsChangeSets++
      continue // a DbmsChangeSetFilter decides at run time whether it is validated.
    }
    const key = `${changeSet.logicalPath ?? name}::${changeSet.id}::${changeSet.author}`
    const twin = seen.get(key)
    if (twin !== undefined) {
      problems.push(
        problem(
          RULE.changesetDuplicate,
          name,
          `changeset ${changesetName(changeSet)} is defined twice in this file (also at line ${twin}): Liquibase fails validation`,
          'give one of them a new id',
          changeSet.line,
        ),
      )
    } else seen.set(key, String(changeSet.line ?? '?'))
  }
}

/** A path with `${…}`: Liquibase expands it at run time, so it is neither checked nor shipped here. */
function unchecked({ problem, problems }: Walk, name: string, what: string, line?: number): void {
  problems.push(
    problem(
      RULE.propertyInPath,
      name,
      `${what} uses a changelog property: Liquibase expands it at run time, so it is not checked or shipped here`,
      'write the path without ${…} to have it checked and shipped',
      line,
      'warning',
    ),
  )
}

/** sqlFile changes: their files must exist (SQLFileChange.java:118-135). */
function followSqlFiles(walk: Walk, name: string, refs: readonly SqlFileRef[]): void {
  const { available, extra, problem, problems } = walk
  for (const ref of refs) {
    if (hasProperty(ref.path)) {
      unchecked(walk, name, `sqlFile '${clipped(ref.path)}'`, ref.line)
      continue
    }
    const target = resolve(name, ref.path, ref.relative)
    if (target !== undefined && available.has(target)) {
      extra.add(target)
      continue
    }
    // SQLFileChange.java:118-135: validation fails when the file does not exist; a rollback's file is read by
    // `rollback` only.
    problems.push(
      problem(
        RULE.sqlFileMissing,
        name,
        target === undefined
          ? `sqlFile '${clipped(ref.path)}' is outside the migrations directory: it would be missing from the image`
          : `sqlFile '${clipped(ref.path)}' does not exist in the directory`,
        'fix the path or add the file',
        ref.line,
        ref.rollback ? 'warning' : 'error',
      ),
    )
  }
}

/** property file="…": a properties file (DCL:527-556). */
function followProperties(walk: Walk, name: string, properties: readonly PropertyFile[]): void {
  const { available, extra, problem, problems } = walk
  for (const property of properties) {
    if (hasProperty(property.file)) {
      unchecked(walk, name, `properties file '${clipped(property.file)}'`, property.line)
      continue
    }
    const target = resolve(name, property.file, property.relative)
    if (target !== undefined && available.has(target)) {
      extra.add(target)
    } else if (property.errorIfMissing) {
      problems.push(
        problem(
          RULE.propertiesMissing,
          name,
          `properties file '${clipped(property.file)}' does not exist in the directory`,
          'fix the path or add the file',
          property.line,
        ),
      )
    } else {
      // DCL:551-555: errorIfMissing="false" → a warning, and the properties are not set.
      problems.push(
        problem(
          RULE.propertiesMissingOptional,
          name,
          `properties file '${clipped(property.file)}' is missing: Liquibase skips it (errorIfMissing="false")`,
          'add the file or remove the property',
          property.line,
          'notice',
        ),
      )
    }
  }
}

/** include and includeAll: where each points, and what Liquibase loads from there. */
function followIncludes(walk: Walk, name: string, includes: readonly Include[]): void {
  const { problem, problems } = walk
  for (const include of includes) {
    if (hasProperty(include.path)) {
      unchecked(walk, name, `${include.all ? 'includeAll' : 'include'} '${clipped(include.path)}'`, include.line)
      continue
    }
    const target = resolve(name, include.path, include.relative)
    if (target === undefined) {
      problems.push(
        problem(
          RULE.includeOutside,
          name,
          `includes '${clipped(include.path)}', outside the migrations directory: it would be missing from the image`,
          'move the file into the directory',
          include.line,
        ),
      )
      continue
    }
    if (include.all) followIncludeAll(walk, name, include, target)
    else followInclude(walk, name, include, target)
  }
}

/** include file="…" (DCL:634-658, 1040-1110). */
function followInclude(
  { available, problem, problems, queue }: Walk,
  name: string,
  include: Include,
  target: string,
): void {
  // DCL:1043-1045: `.svn` and `cvs` are skipped.
  if (/^(\.svn|cvs)$/i.test(include.path)) return
  if (!available.has(target)) {
    // DCL:1067-1074: a missing file is an error, unless errorIfMissing="false" (then a warning).
    problems.push(
      include.errorIfMissing
        ? problem(
            RULE.includeMissing,
            name,
            `includes '${clipped(include.path)}', which does not exist in the directory`,
            missingIncludeFix(include.path),
            include.line,
          )
        : problem(
            RULE.includeMissingOptional,
            name,
            `includes '${clipped(include.path)}', which does not exist: Liquibase skips it (errorIfMissing="false")`,
            'add the file or remove the include',
            include.line,
            'notice',
          ),
    )
    return
  }
  // DCL:1076 + ChangeLogParserFactory.java:59 with OnUnknownFileFormat.FAIL (DCL:654, 1099-1102): no parser, no run.
  if (kindOf(target) === 'unknown') {
    problems.push(
      problem(
        RULE.includeUnknownType,
        name,
        `includes '${clipped(include.path)}': Liquibase has no parser for this file type and stops`,
        'include .xml, .yaml, .yml, .json or .sql changelogs only',
        include.line,
      ),
    )
    return
  }
  queue.push({ name: target, from: name, line: include.line, logicalPath: include.logicalPath })
  return
}

/**
 * Spring Boot's layout (src/main/resources/db/changelog/…, includes written from the classpath root:
 * `db/changelog/changes/001-init.sql`) read with dir at the changelog's folder: the paths resolve only from the
 * classpath root, which is what the image's search path must be.
 */
function missingIncludeFix(target: string): string {
  if (/^(classpath\*?:\/?)?db\/changelog\//.test(target))
    return "the path is written from Spring Boot's classpath root: point dir at that root (src/main/resources) and changelog at the master inside it (db/changelog/db.changelog-master.yaml)"
  return target.startsWith('/')
    ? 'write the path relative to the migrations directory (Liquibase looks it up in its search path)'
    : 'fix the path or add the file'
}

/** includeAll path="…" (DCL:820-940). */
function followIncludeAll(
  { names, problem, problems, queue }: Walk,
  name: string,
  include: Include,
  target: string,
): void {
  // includeAll: every file below the path (DCL:895-906, 933 ResourceAccessor.search, recursive by default), in
  // path order (the standard comparator compares path strings), filtered by endsWithFilter.
  const prefix = target === '' ? '' : `${target}/`
  const found = names
    .filter((candidate) => candidate.startsWith(prefix))
    .filter((candidate) => include.endsWith === '' || candidate.toLowerCase().endsWith(include.endsWith.toLowerCase()))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (found.length === 0) {
    // DCL:837-840, 909-912 and 934-937: missing or empty → error, unless errorIfMissingOrEmpty="false".
    problems.push(
      include.errorIfMissing
        ? problem(
            RULE.includeAllEmpty,
            name,
            `includeAll '${clipped(include.path)}' finds no files: Liquibase stops ("directory was empty")`,
            'add changelogs there, fix the path, or set errorIfMissingOrEmpty="false"',
            include.line,
          )
        : problem(
            RULE.includeAllEmptyOptional,
            name,
            `includeAll '${clipped(include.path)}' finds no files: Liquibase includes nothing (errorIfMissingOrEmpty="false")`,
            'add changelogs there or remove the includeAll',
            include.line,
            'notice',
          ),
    )
    return
  }
  for (const file of found) {
    // DCL:846-847 and 1099-1110: includeAll includes with OnUnknownFileFormat.WARN: unknown types are skipped with a warning.
    if (kindOf(file) === 'unknown') {
      problems.push(
        problem(
          RULE.includeAllUnknownType,
          file,
          `includeAll '${clipped(include.path)}' finds this file, but Liquibase has no parser for it and skips it`,
          'move it out of the folder, or ignore this notice',
          undefined,
          'notice',
        ),
      )
      continue
    }
    queue.push({ name: file, from: name, line: include.line, logicalPath: include.logicalPath })
  }
}
