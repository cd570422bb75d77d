import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { git } from './git.js'
import { independentSum, makeDir } from './tmp.js'

/** A migrations directory's files: name → content. */
export type Files = Record<string, string>

export function commitAll(repo: string, message: string): string {
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', message)
  return git(repo, 'rev-parse', 'HEAD')
}

/** A repository whose main holds `base`, and a feature branch that adds `head` (file → content; '' deletes). */
export function pullRequest(
  dir: string,
  base: Files,
  head: Files,
  format: string,
): { repo: string; base: string; head: string } {
  const repo = makeDir(Object.fromEntries(Object.entries(base).map(([name, text]) => [`${dir}/${name}`, text])))
  const rehash = () => writeFileSync(path.join(repo, dir, 'atlas.sum'), independentSum(path.join(repo, dir), format))
  rehash()
  git(repo, 'init', '-q', '-b', 'main')
  const baseSha = commitAll(repo, 'base')
  git(repo, 'checkout', '-qb', 'feature')
  for (const [name, text] of Object.entries(head)) {
    mkdirSync(path.dirname(path.join(repo, dir, name)), { recursive: true })
    writeFileSync(path.join(repo, dir, name), text)
  }
  rehash()
  return { repo, base: baseSha, head: commitAll(repo, 'feature') }
}
