import { spawn, spawnSync } from 'node:child_process'
import { lstatSync, mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { baseBranchProblems, type BaseResult } from '../core/check/base-rules.js'
import { MigrationImageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import { DEFAULT_MAX_FILE_SIZE, readBounded } from '../core/check/safe-read.js'
import { assertRef } from '../core/names.js'
import type { Problem } from '../core/check/problems.js'
import { validateDirectory, type ValidateOptions, type Validation } from '../core/check/validate.js'
import { childEnv } from './docker.js'
import type { Log } from './log.js'

/** git's own environment: the caller's without the action's inputs (the password) or saved state. */
const gitEnv = (): NodeJS.ProcessEnv => childEnv(process.env)

function git(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const ran = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: gitEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 << 20,
  })
  if (ran.error) throw new MigrationImageError(`git is needed for the base-branch checks: ${ran.error.message}`)
  return { code: ran.status ?? 1, stdout: ran.stdout, stderr: ran.stderr }
}

/**
 * The commit `ref` names in the checkout that holds `dir`, with its committer time (ISO 8601): the image's revision
 * and creation time. Undefined outside a git checkout, or when the commit is not in it (a shallow clone).
 */
export function commitAt(dir: string, ref = 'HEAD'): { readonly sha: string; readonly time: string } | undefined {
  let ran: ReturnType<typeof git>
  try {
    ran = git(dir, ['log', '-1', '--format=%H %cI', '--end-of-options', assertRef(ref, 'ref'), '--'])
  } catch {
    return undefined // no git here: the CLI outside a checkout
  }
  const match = /^([0-9a-f]{40,64}) (\S+)$/.exec(ran.stdout.trim())
  return ran.code === 0 && match ? { sha: match[1], time: new Date(match[2]).toISOString() } : undefined
}

/**
 * Makes sure `ref` is a commit here; a shallow checkout gets it with one `git fetch` of that commit or branch. A
 * relative ref (`main~5`, `HEAD^`) is no refspec, so it is not fetched: git would only answer "invalid refspec".
 */
export function ensureCommit(dir: string, ref: string, log: Log, fix: string): void {
  assertRef(ref, 'ref')
  // --end-of-options: whatever the ref is, git reads it as a ref, never as an option (git >= 2.24).
  const present = (): boolean => git(dir, ['cat-file', '-e', '--end-of-options', `${ref}^{commit}`]).code === 0
  if (present()) return
  if (/[~^]|@\{/.test(ref)) {
    throw new MigrationImageError(`cannot find commit ${showName(ref)} to compare with in this checkout`, { fix })
  }
  log.info(`fetching ${ref} (not in this checkout)`)
  const fetched = git(dir, ['fetch', '--no-tags', '--depth=1', '--end-of-options', 'origin', ref])
  if (fetched.code !== 0 || !present()) {
    // git's first "fatal:" line says what failed; its last one is advice ("and the repository exists.").
    const lines = fetched.stderr
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
    const said = showName(lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0] ?? '')
    throw new MigrationImageError(
      `cannot find commit ${showName(ref)} to compare with: it is not in this checkout, and fetching it from origin ${said ? `failed (git: ${said})` : 'did not bring it'}`,
      { fix },
    )
  }
}

/** The migrations directory as it was at `ref`, extracted to a temporary directory (empty when it did not exist). */
export async function treeAt(dir: string, ref: string, tempParent: string): Promise<string> {
  const into = mkdtempSync(path.join(tempParent, 'migration-image-base-'))
  // git archive runs at the top level: from a sub-directory it refuses trees the checkout does not track.
  const prefix = git(dir, ['rev-parse', '--show-prefix']).stdout.trim()
  const top = git(dir, ['rev-parse', '--show-toplevel']).stdout.trim()
  if (git(top, ['cat-file', '-e', '--end-of-options', `${ref}:${prefix}`]).code !== 0) return into
  try {
    await new Promise<void>((resolve, reject) => {
      const archive = spawn('git', ['-C', top, 'archive', '--format=tar', '--end-of-options', `${ref}:${prefix}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: gitEnv(),
      })
      // --no-same-owner/permissions: the extracted tree is data to read, nothing in it is trusted.
      const tar = spawn('tar', ['-x', '--no-same-owner', '--no-same-permissions', '-C', into], {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: gitEnv(),
      })
      archive.stdout.pipe(tar.stdin)
      tar.stdin.on('error', () => undefined)
      let failed = ''
      archive.stderr.on('data', (chunk: Buffer) => (failed = (failed + chunk.toString()).slice(-4096)))
      archive.on('error', reject)
      tar.on('error', reject)
      tar.on('close', (code) =>
        code === 0 && !failed
          ? resolve()
          : reject(new MigrationImageError(`cannot read ${ref}:${prefix}: ${showName(failed.trim())}`)),
      )
    })
  } catch (error) {
    rmSync(into, { recursive: true, force: true })
    throw error
  }
  return into
}

export interface BaseCheckInput {
  readonly head: Validation
  readonly options: ValidateOptions
  readonly baseRef: string
  readonly baseName: string
  /** The pull request's own head commit: tells a merge-only atlas.sum failure apart. */
  readonly headRef?: string
  readonly allowOutOfOrder: boolean
  readonly tempDir: string
  readonly log: Log
  /** What to do when the base commit is not to be had, in the adapter's terms (actions/checkout, or git fetch). */
  readonly missingFix: string
  /** Reads the base's tree while it is extracted (deploy safety: which units a live database already ran). */
  readonly inspectBase?: (baseDir: string, base: Validation) => Promise<ReadonlySet<string>>
}

/** What the base branch says of the head: its problems, the added migrations, and the merge-only atlas.sum hint. */
export interface BaseCheck extends BaseResult {
  /**
   * The checkout judged again knowing the base's files, when a pair the tool refuses (two files of one version) was
   * reported on the file already on the base: the caller uses it in place of the head it passed in.
   */
  readonly head?: Validation
  /**
   * The head's atlas.sum problem, reworded when the pull request's own atlas.sum was right and only the merge with
   * the base broke it ("rebase and re-hash"): the caller puts it in place of the original.
   */
  readonly mergeOnly?: { readonly problem: Problem; readonly replacement: Problem }
  /** What `inspectBase` read of the base's tree. */
  readonly inspected?: ReadonlySet<string>
}

/** The 1-based line of the first byte where two files differ (undefined when they are the same). */
export function firstChangedLine(before: Buffer, after: Buffer): number | undefined {
  const length = Math.min(before.length, after.length)
  let line = 1
  for (let index = 0; index < length; index++) {
    if (before[index] !== after[index]) return line
    if (before[index] === 0x0a) line++
  }
  return before.length === after.length ? undefined : line
}

/** Base-branch rules from git history, plus the merge-only atlas.sum hint. */
export async function checkAgainstBase(input: BaseCheckInput): Promise<BaseCheck> {
  const { log } = input
  let head = input.head
  let rejudged: Validation | undefined
  const limit = input.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
  ensureCommit(head.dir, input.baseRef, log, input.missingFix)
  const baseDir = await treeAt(head.dir, input.baseRef, input.tempDir)
  let result: BaseResult
  let inspected: ReadonlySet<string> | undefined
  try {
    const base = await validateDirectory(baseDir, { ...input.options, checksum: 'optional' })
    inspected = await input.inspectBase?.(baseDir, base)
    // A regular file of the base's tree (git wrote it; never through a link).
    const established = (name: string): boolean =>
      lstatSync(path.join(baseDir, name), { throwIfNoEntry: false })?.isFile() ?? false
    if (pairOnBaseFile(head, established)) {
      rejudged = await validateDirectory(head.dir, { ...input.options, established })
      head = rejudged
    }
    result = baseBranchProblems({
      base,
      head,
      baseName: input.baseName,
      allowOutOfOrder: input.allowOutOfOrder,
      // Bounded, never through a link, on both sides.
      sameContent: (baseFile, headFile) =>
        readBounded(path.join(baseDir, baseFile), limit, baseDir).equals(
          readBounded(path.join(head.dir, headFile), limit, head.dir),
        ),
      changedLine: (baseFile, headFile) =>
        firstChangedLine(
          readBounded(path.join(baseDir, baseFile), limit, baseDir),
          readBounded(path.join(head.dir, headFile), limit, head.dir),
        ),
    })
  } finally {
    rmSync(baseDir, { recursive: true, force: true })
  }
  const sumProblem = head.problems.find(
    ({ code }) => code === 'checksum-changed' || code === 'checksum-mismatch' || code === 'checksum-format',
  )
  if (sumProblem && input.headRef) {
    ensureCommit(head.dir, input.headRef, log, input.missingFix)
    const ownDir = await treeAt(head.dir, input.headRef, input.tempDir)
    const own = await validateDirectory(ownDir, input.options).finally(() =>
      rmSync(ownDir, { recursive: true, force: true }),
    )
    if (!own.problems.some(({ code }) => code.startsWith('checksum') && code !== 'checksum-not-found')) {
      const merged: Problem = {
        ...sumProblem,
        fix: `the pull request's own atlas.sum matches its files, so the merge with ${input.baseName} broke it: rebase onto ${input.baseName}, re-run 'migration-image hash ${head.dir}' (or 'atlas migrate hash') and push`,
      }
      return { ...result, head: rejudged, inspected, mergeOnly: { problem: sumProblem, replacement: merged } }
    }
  }
  return { ...result, head: rejudged, inspected }
}

/** Whether a pair the tool refuses sits on a file the base already has while its twin is new (walk order put it there). */
function pairOnBaseFile(head: Validation, established: (name: string) => boolean): boolean {
  return head.problems.some(
    ({ file, twin }) =>
      twin !== undefined &&
      !established(twin) &&
      established(path.relative(head.dir, file).split(path.sep).join(path.posix.sep)),
  )
}
