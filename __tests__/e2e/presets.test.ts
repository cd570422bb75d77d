import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { getPreset } from '../../src/core/image/presets.js'
import { publishOnPush } from '../helpers/publish.js'
import { docker, realEnv, registryDigest } from '../helpers/real-env.js'
import { ROOT } from '../helpers/tmp.js'

// One image per preset, built and pushed to the loopback registry. The official base images cannot be pulled
// here (no Docker Hub), so a local stand-in (busybox) is substituted through the base-image input; what is
// checked is the preset's layout: the files in its directory, its env, its user and entrypoint.
const env = realEnv()

/** Files under `dir` in an image, from `docker cp` (no shell needed in the image). */
function imageFiles(image: string, dir: string): string[] {
  const container = docker(env, ['create', image]).trim()
  try {
    const tar = path.join(mkdtempSync(path.join(tmpdir(), 'mi-cp-')), 'files.tar')
    execFileSync('sh', ['-c', '"$0" cp "$1:$2/." - > "$3"', env.DOCKER_BIN, container, dir, tar], {
      env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: env.MI_DOCKER_CONFIG },
    })
    return execFileSync('tar', ['-tvf', tar], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('-'))
      .map((line) => `${line.slice(0, 10)} ${line.split(/\s+/).at(-1)!.replace(/^\.\//, '')}`)
      .sort()
  } finally {
    docker(env, ['rm', container])
  }
}

function publish(tool: string, dir: string, extra: Record<string, string> = {}) {
  return publishOnPush(env, {
    dir,
    tool,
    image: `${env.MI_REGISTRY}/presets/${tool}`,
    'base-image': env.MI_BASE_BUSYBOX,
    ...extra,
  })
}

const cases: [string, string, string[]][] = [
  ['golang-migrate', 'examples/golang-migrate/migrations', []],
  ['flyway', 'examples/flyway/migrations', ['FLYWAY_LOCATIONS=filesystem:/flyway/sql']],
  ['goose', 'examples/goose/migrations', ['GOOSE_MIGRATION_DIR=/migrations']],
  ['dbmate', 'examples/dbmate/db/migrations', ['DBMATE_MIGRATIONS_DIR=/db/migrations', 'DBMATE_NO_DUMP_SCHEMA=true']],
  [
    'liquibase',
    'examples/liquibase/changelog',
    ['LIQUIBASE_SEARCH_PATH=/liquibase/changelog', 'LIQUIBASE_COMMAND_CHANGELOG_FILE=changelog.xml'],
  ],
  ['atlas', 'examples/atlas/migrations', []],
]

/** Every file of an example that the image must hold (all but what the format leaves out). */
function expectedFiles(tool: string, dir: string): string[] {
  const all = readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8', withFileTypes: false }).filter(
    (name) => name.includes('.'),
  )
  if (tool === 'psql') return all.filter((name) => !name.endsWith('.down.sql'))
  return all
}

describe('one image per preset, pushed to the loopback registry', () => {
  it.each(cases)('%s', async (tool, dir, presetEnv) => {
    const { main, sha } = publish(tool, dir)
    expect(main.status, main.stdout + main.stderr).toBe(0)
    expect(await registryDigest(env, `presets/${tool}`, sha)).toBe(main.outputs.digest)
    const image = main.outputs['image-ref']
    docker(env, ['pull', image])
    const preset = getPreset(tool)
    const files = imageFiles(image, preset.migrationsDir)
    expect(files.map((line) => line.split(' ')[1]).sort()).toEqual(expectedFiles(tool, dir).sort())
    expect(
      files.every((line) => line.startsWith('-r--r--r--')),
      files.join('\n'),
    ).toBe(true)
    const config = JSON.parse(docker(env, ['inspect', '--format', '{{json .Config}}', image])) as {
      Env: string[]
      User: string
      Entrypoint: string[] | null
    }
    expect(config.Env).toEqual(expect.arrayContaining(presetEnv))
    expect(config.User).toBe(preset.user ?? '')
    if (preset.entrypoint) expect(config.Entrypoint).toEqual(preset.entrypoint)
  })

  it('platforms without buildx is a clear error (no emulation needed, but docker build cannot do several)', () => {
    const { main } = publish('atlas', 'examples/atlas/migrations', { platforms: 'linux/amd64,linux/arm64' })
    expect(main.status).toBe(1)
    expect(main.stdout).toContain('building for linux/amd64, linux/arm64 needs docker buildx, which is not installed')
  })
})
