import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const PYTHON_SUM = path.join(ROOT, '__tests__', 'helpers', 'atlas_sum.py')

/** A fresh directory holding `files` (name → content); names may contain '/' for sub-directories. */
export function makeDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mi-test-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), content)
  }
  return dir
}

/** atlas.sum as an independent implementation (Python hashlib, see atlas_sum.py) computes it. */
export function independentSum(dir: string, format = 'atlas'): string {
  return execFileSync('python3', [PYTHON_SUM, dir, format], { encoding: 'utf8' })
}

/** independentSum for many directories in one Python run (the fixtures: one process instead of one each). */
export function independentSums(dirs: readonly { dir: string; format: string }[]): Map<string, string> {
  const input = dirs.map(({ dir, format }) => `${format} ${dir}\n`).join('')
  const out = execFileSync('python3', [PYTHON_SUM, '--batch'], { input, encoding: 'utf8' })
  return new Map(Object.entries(JSON.parse(out) as Record<string, string>))
}

/** The total on line 1, from `sha256sum`/`base64` is not practical for the running hash; Python computes it. */
export function independentTotal(dir: string): string {
  return independentSum(dir).split('\n')[0]
}

export interface Ran {
  status: number | null
  stdout: string
  stderr: string
}

export function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = ROOT,
  node = process.execPath,
): Ran {
  const result = spawnSync(node, [path.join(ROOT, script), ...args], {
    cwd,
    env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, ...env },
    encoding: 'utf8',
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

export const runCli = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Ran =>
  runNode('dist/cli.js', args, env, cwd)

/** Like runNode, without blocking the event loop (for tests that serve HTTP to the child). */
export function runNodeAsync(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = ROOT,
  node = process.execPath,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [path.join(ROOT, script), ...args], {
      cwd,
      env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** A PATH directory holding only node and git (links to this machine's): a machine without docker. */
export function pathWithoutDocker(): string {
  const bin = makeDir()
  for (const tool of ['node', 'git']) {
    symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool))
  }
  return bin
}
