import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Before any test (once, whichever project's setup runs first): bundle dist/ (the tests run it as the runner or a
 * user would), and give the run one temporary root. Every temporary directory the tests make (and those of the
 * processes they start, which inherit TMPDIR) lands under it, and the teardown removes it whole, so a run leaves
 * nothing behind in the system's temp dir. scripts/test-env.sh's state directory outlives the run: it is fixed here,
 * before TMPDIR moves, and the workers inherit it as MI_TEST_ENV_DIR.
 */
export function setup(): () => void {
  if (process.env.MI_TESTS_TMP_ROOT) return () => undefined
  execFileSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' })
  const base = tmpdir()
  process.env.MI_TEST_ENV_DIR ??= path.join(base, 'migration-image-test-env')
  const runRoot = mkdtempSync(path.join(base, 'mi-tests-'))
  process.env.MI_TESTS_TMP_ROOT = runRoot
  process.env.TMPDIR = runRoot
  return () => {
    process.env.TMPDIR = base
    delete process.env.MI_TESTS_TMP_ROOT
    rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 })
  }
}
