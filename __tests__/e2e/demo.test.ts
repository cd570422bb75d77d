import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { docker, realEnv } from '../helpers/real-env.js'
import { makeDir, pathWithoutDocker, ROOT } from '../helpers/tmp.js'

// `npm start` (scripts/demo.mjs) as a newcomer runs it: on a machine with Docker, and on one without it (a PATH of
// node and git only), where the image is assembled on the registry engine. Real parts: the loopback registry with
// its login (the base image) and the test engine, which loads the archive and runs it.
const env = realEnv()

const noDockerPath = pathWithoutDocker()

function npmStart(extra: NodeJS.ProcessEnv): { status: number | null; out: string; tmp: string } {
  const tmp = makeDir()
  const ran = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.mjs')], {
    cwd: ROOT,
    env: { HOME: makeDir(), TMPDIR: tmp, DOCKER_CONFIG: env.MI_DOCKER_CONFIG, ...extra },
    encoding: 'utf8',
    timeout: 240_000,
  })
  return { status: ran.status, out: ran.stdout + ran.stderr, tmp }
}

describe('npm start: the main job on the bundled example', () => {
  it('without Docker: validated, then the image assembled on the registry engine into an archive that loads and runs', () => {
    const { status, out, tmp } = npmStart({ PATH: noDockerPath, BASE_IMAGE: env.MI_BASE_BUSYBOX })
    expect(status, out).toBe(0)
    expect(out).toContain('examples/atlas/migrations: 3 migrations valid')
    expect(out).toContain("'docker' was not found on PATH")
    expect(out).toContain('No Docker engine answers here: building without one, on the registry engine.')
    const archive = path.join(tmp, 'migration-image-example.tar')
    expect(out).toContain(`The image is ${archive}`)
    expect(existsSync(archive)).toBe(true)
    docker(env, ['load', '-i', archive])
    const id = docker(env, ['image', 'inspect', '--format', '{{.Id}}', 'migration-image/example:local']).trim()
    try {
      expect(docker(env, ['run', '--rm', id, 'ls', '/migrations']).trim().split('\n')).toEqual([
        '20240101120000_create_users.sql',
        '20240102090000_create_posts.sql',
        '20240115083000_add_users_display_name.sql',
        'atlas.sum',
      ])
    } finally {
      docker(env, ['rmi', '-f', id])
    }
  })

  it('without Docker and without the base image: says what is missing and how to give it', () => {
    const { status, out } = npmStart({ PATH: noDockerPath, BASE_IMAGE: '127.0.0.1:59999/base/busybox:1' })
    expect(status).toBe(1)
    expect(out).toMatch(/error: registry 127\.0\.0\.1:59999: GET manifest base\/busybox:1 failed/)
    expect(out).toContain('The base image could not be fetched (see above).')
    expect(out).toContain('set BASE_IMAGE to an image')
  })

  it('with Docker: built into the engine’s image store', () => {
    const { status, out } = npmStart({ PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST, BASE_IMAGE: env.MI_BASE_BUSYBOX })
    expect(status, out).toBe(0)
    expect(out).toContain('== build with Docker (no push)')
    expect(out).not.toContain('registry engine')
    expect(docker(env, ['image', 'inspect', '--format', '{{.Id}}', 'migration-image/example:local'])).toMatch(
      /^sha256:/,
    )
  })
})
