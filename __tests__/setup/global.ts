import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Before any test: bundle dist/ (the tests run it as the runner would) and start the real parts — dockerd, a
 * registry with htpasswd auth, PostgreSQL and the local base images — with scripts/test-env.sh (idempotent).
 */
export function setup(): void {
  execFileSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' })
  // For a run without the end-to-end suite (GitHub's ci.yml: no root for a private dockerd there).
  if (process.env.MI_SKIP_REAL_PARTS === '1') return
  execFileSync(path.join(root, 'scripts/test-env.sh'), ['up'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
}
