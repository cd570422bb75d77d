import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { baseBranchProblems, type BaseResult } from '../core/base-rules.js'
import { MigrationImageError } from '../core/errors.js'
import type { Problem } from '../core/problems.js'
import { validateDirectory, type ValidateOptions, type Validation } from '../core/validate.js'
import type { Log } from './log.js'

function git(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const ran = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8' })
  if (ran.error) throw new MigrationImageError(`git is needed for the base-branch checks: ${ran.error.message}`)
  return { code: ran.status ?? 1, stdout: ran.stdout, stderr: ran.stderr }
}

/** Makes sure `ref` is a commit here; a shallow checkout gets it with one `git fetch` of that commit. */
export function ensureCommit(dir: string, ref: string, log: Log): void {
  if (git(dir, ['cat-file', '-e', `${ref}^{commit}`]).code === 0) return
  log.info(`fetching ${ref} (not in this checkout)`)
  const fetched = git(dir, ['fetch', '--no-tags', '--depth=1', 'origin', ref])
  if (fetched.code !== 0 || git(dir, ['cat-file', '-e', `${ref}^{commit}`]).code !== 0) {
    throw new MigrationImageError(
      `cannot find commit ${ref} to compare with: ${fetched.stderr.trim().split('\n').at(-1) ?? ''}`,
      {
        fix: 'check out with history (actions/checkout with fetch-depth: 0) or give base-ref a commit that exists',
      },
    )
  }
}

/** The migrations directory as it was at `ref`, extracted to a temporary directory (empty when it did not exist). */
async function treeAt(dir: string, ref: string, tempParent: string): Promise<string> {
  const into = mkdtempSync(path.join(tempParent, 'migration-image-base-'))
  // git archive runs at the top level: from a sub-directory it refuses trees the checkout does not track.
  const prefix = git(dir, ['rev-parse', '--show-prefix']).stdout.trim()
  const top = git(dir, ['rev-parse', '--show-toplevel']).stdout.trim()
  if (git(top, ['cat-file', '-e', `${ref}:${prefix}`]).code !== 0) return into
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['-C', top, 'archive', '--format=tar', `${ref}:${prefix}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const tar = spawn('tar', ['-x', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] })
    archive.stdout.pipe(tar.stdin)
    let failed = ''
    archive.stderr.on('data', (chunk: Buffer) => (failed += chunk.toString()))
    tar.on('close', (code) =>
      code === 0 && !failed
        ? resolve()
        : reject(new MigrationImageError(`cannot read ${ref}:${prefix}: ${failed.trim()}`)),
    )
  })
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
}

/** Base-branch rules from git history, plus the merge-only atlas.sum hint. */
export async function checkAgainstBase(input: BaseCheckInput): Promise<BaseResult> {
  const { head, log } = input
  ensureCommit(head.dir, input.baseRef, log)
  const baseDir = await treeAt(head.dir, input.baseRef, input.tempDir)
  const base = await validateDirectory(baseDir, { ...input.options, checksum: 'optional' })
  const result = baseBranchProblems({
    base,
    head,
    baseName: input.baseName,
    allowOutOfOrder: input.allowOutOfOrder,
    sameContent: (baseFile, headFile) =>
      readFileSync(path.join(baseDir, baseFile)).equals(readFileSync(path.join(head.dir, headFile))),
  })
  const sumProblem = head.problems.find(
    ({ code }) => code === 'checksum-changed' || code === 'checksum-mismatch' || code === 'checksum-format',
  )
  if (sumProblem && input.headRef) {
    ensureCommit(head.dir, input.headRef, log)
    const own = await validateDirectory(await treeAt(head.dir, input.headRef, input.tempDir), input.options)
    if (!own.problems.some(({ code }) => code.startsWith('checksum') && code !== 'checksum-not-found')) {
      const merged: Problem = {
        ...sumProblem,
        fix: `the pull request's own atlas.sum matches its files, so the merge with ${input.baseName} broke it: rebase onto ${input.baseName}, re-run 'migration-image hash ${head.dir}' (or 'atlas migrate hash') and push`,
      }
      head.problems.splice(head.problems.indexOf(sumProblem), 1, merged)
    }
  }
  return result
}
