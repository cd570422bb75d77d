import path from 'node:path'
import { runAction, runPost, type ActionRun } from './runner.js'
import { randomSha, type RealEnv } from './real-env.js'
import { makeDir, ROOT } from './tmp.js'

/**
 * The action's main and post steps on a push to the default branch, logged in to the loopback registry, with a
 * fresh commit sha: what a publishing workflow does. `inputs` are the action's (dir, tool, image, base-image…).
 */
export function publishOnPush(
  env: RealEnv & { PATH: string },
  inputs: Record<string, string>,
): { main: ActionRun; sha: string } {
  const sha = randomSha()
  const main = runAction({
    cwd: ROOT,
    inputs: { username: env.MI_REGISTRY_USER, password: env.MI_REGISTRY_PASSWORD, ...inputs },
    payload: { repository: { default_branch: 'main' } },
    env: {
      PATH: env.PATH,
      DOCKER_HOST: env.DOCKER_HOST,
      HOME: makeDir(),
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/api',
      // The dir input must be inside the workspace: a temporary directory is the checkout here.
      ...(inputs.dir && path.isAbsolute(inputs.dir) ? { GITHUB_WORKSPACE: inputs.dir } : {}),
    },
  })
  runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
  return { main, sha }
}
