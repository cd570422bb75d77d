import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { root, setup as bundleSetup } from './bundle.js'

/**
 * Before the end-to-end tests: the unit setup (bundle, temporary root), then the real parts — dockerd, a registry
 * with htpasswd auth, PostgreSQL and the local base images — from scripts/test-env.sh (idempotent), and the
 * `docker` on the tests' PATH, made here once so that parallel workers never race to create it.
 */
export function setup(): () => void {
  const teardown = bundleSetup()
  const envDir = process.env.MI_TEST_ENV_DIR as string
  execFileSync(path.join(root, 'scripts/test-env.sh'), ['up'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const dockerBin = readFileSync(path.join(envDir, 'env'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('DOCKER_BIN='))
    ?.slice('DOCKER_BIN='.length)
  if (!dockerBin) throw new Error(`scripts/test-env.sh wrote no DOCKER_BIN to ${envDir}/env`)
  const bin = path.join(envDir, 'test-bin')
  mkdirSync(bin, { recursive: true })
  const staged = path.join(bin, `.docker-${process.pid}`)
  rmSync(staged, { force: true })
  symlinkSync(dockerBin, staged)
  renameSync(staged, path.join(bin, 'docker')) // atomic: replaces any older link
  return teardown
}
