// The real parts a benchmark runs against: scripts/test-env.sh up (idempotent), then the settings from its env file.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

export const root = path.resolve(import.meta.dirname, '..')

/** Starts what is not running yet and returns the env file's settings (DOCKER_HOST, MI_REGISTRY, …). */
export function testEnv() {
  const envFile = execFileSync(path.join(root, 'scripts/test-env.sh'), ['up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n')
    .at(-1)
  return Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
}
