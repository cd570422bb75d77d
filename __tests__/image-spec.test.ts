import { lstatSync } from 'node:fs'
import path from 'node:path'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { validateDirectory } from '../src/core/check/validate.js'
import { contextPath, renderSpec } from '../src/core/image/dockerfile.js'
import { configFacts, editConfig } from '../src/core/image/oci.js'
import { planImage } from '../src/core/image/plan.js'
import { getPreset, toolNames } from '../src/core/image/presets.js'
import { layerEntries, type ImageSpec } from '../src/core/image/spec.js'
import { parseImageName } from '../src/core/image/image-ref.js'
import { removeContext, stageContext } from '../src/io/stage.js'
import { ROOT } from './helpers/tmp.js'

// The image is described once (src/core/image/spec.ts); buildx builds its Dockerfile, the registry engine its
// layer entries and config edits. These tests hold the two derivations to each other for every preset: the
// Dockerfile is read back the way BuildKit's dockerfile2llb applies it to the base's config, and the staged
// context (what COPY copies, modes included) is compared with the layer entries.

/** The Dockerfile's final stage applied to a config, as BuildKit does (ENV replaces or appends, ENTRYPOINT drops an
 * inherited CMD, `CMD []` leaves none since the field is omitted when empty, LABEL merges). */
function applyDockerfile(dockerfile: string, base: Record<string, unknown>): Record<string, unknown> {
  const stages = dockerfile.split(/^FROM /m).slice(1)
  const final = stages[stages.length - 1]
  const config = { ...(base.config as Record<string, unknown>) }
  const lines = final
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .slice(1)
  const words = (text: string): [string, string][] =>
    [...text.matchAll(/([A-Za-z0-9._-]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2].replace(/\\(.)/g, '$1')])
  let cmdSet = false
  for (const line of lines) {
    const [instruction, ...rest] = line.split(' ')
    const args = rest.join(' ')
    if (instruction === 'ENV') {
      const env = [...((config.Env as string[] | undefined) ?? [])]
      for (const [key, value] of words(args)) {
        const at = env.findIndex((item) => item.split('=')[0] === key)
        if (at === -1) env.push(`${key}=${value}`)
        else env[at] = `${key}=${value}`
      }
      config.Env = env
    } else if (instruction === 'LABEL') {
      config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(words(args)) }
    } else if (instruction === 'USER') config.User = args
    else if (instruction === 'WORKDIR') config.WorkingDir = args
    else if (instruction === 'ENTRYPOINT') {
      config.Entrypoint = JSON.parse(args) as string[]
      if (!cmdSet) delete config.Cmd
    } else if (instruction === 'CMD') {
      const cmd = JSON.parse(args) as string[]
      cmdSet = true
      if (cmd.length === 0) delete config.Cmd
      else config.Cmd = cmd
    }
  }
  return { ...base, config }
}

const BASE_CONFIG = {
  architecture: 'amd64',
  os: 'linux',
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'FLYWAY_LOCATIONS=old'],
    Entrypoint: ['base-entry'],
    Cmd: ['--help'],
    WorkingDir: '/base',
    User: 'root',
    Labels: { 'org.opencontainers.image.title': 'the base', 'base.only': 'kept' },
  },
  rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] },
  history: [{ created: '2020-01-01T00:00:00Z', created_by: 'base' }],
}

const LAYER = { digest: `sha256:${'2'.repeat(64)}`, size: 10, diffId: `sha256:${'3'.repeat(64)}` }

const exampleDir = (tool: string): string =>
  path.join(
    ROOT,
    'examples',
    tool,
    tool === 'liquibase' ? 'changelog' : tool === 'dbmate' ? 'db/migrations' : 'migrations',
  )

async function specFor(tool: string, selfCheck = false): Promise<{ spec: ImageSpec; dir: string }> {
  const preset = getPreset(tool)
  const dir = exampleDir(tool)
  const validation = await validateDirectory(dir, { format: preset.format })
  const plan = planImage(
    {
      name: parseImageName('ghcr.io/acme/api-migrations'),
      revision: 'a'.repeat(40),
      created: '2026-11-23T10:00:00Z',
      source: 'https://github.com/acme/api',
      selfCheck,
    },
    preset,
    validation,
  )
  return { spec: plan.spec, dir }
}

describe('one image spec, two engines', () => {
  for (const tool of toolNames) {
    for (const selfCheck of [false, true]) {
      it(`${tool}${selfCheck ? ' (self-check)' : ''}: the Dockerfile and the config edits set the same fields`, async () => {
        const { spec } = await specFor(tool, selfCheck)
        const viaDockerfile = configFacts(applyDockerfile(renderSpec(spec), BASE_CONFIG))
        const viaRegistry = configFacts(editConfig(BASE_CONFIG, spec, LAYER, 'COPY'))
        expect(viaRegistry).toEqual(viaDockerfile)
        // Both start from the base: what the preset leaves alone stays the base's.
        expect(viaRegistry.labels['base.only']).toBe('kept')
        expect(viaRegistry.workdir).toBe('/base')
      })
    }

    it(`${tool}: the staged context holds exactly the layer's entries, with their modes`, async () => {
      const { spec } = await specFor(tool)
      const preset = getPreset(tool)
      const validation = await validateDirectory(exampleDir(tool), { format: preset.format })
      const context = stageContext(tmpdir(), validation, spec)
      try {
        expect(context.entries).toEqual(layerEntries(spec, context.files))
        // COPY image/ <parent> puts image/<name> at the migrations directory; the runner goes where its COPY says.
        const dockerfile = renderSpec(spec)
        for (const entry of context.entries.filter((item) => !item.above)) {
          const staged = lstatSync(path.join(context.dir, contextPath(spec, entry.path)))
          expect(staged.mode & 0o7777, entry.path).toBe(entry.mode)
          expect(staged.isDirectory(), entry.path).toBe(entry.type === 'directory')
        }
        const parent = path.posix.dirname(spec.migrationsDir)
        expect(dockerfile).toMatch(
          new RegExp(
            `^COPY (--link |--from=self-check /migration-image/ )?(image/ )?${parent === '/' ? '/' : `${parent}/`}$`,
            'm',
          ),
        )
        if (spec.runner) expect(dockerfile).toContain(`COPY migrate.sh ${spec.runner.path}\n`)
        // Parents first, sorted: every entry's directory is an earlier entry (or above the migrations directory).
        const seen = new Set<string>()
        for (const entry of context.entries) {
          const dir = path.posix.dirname(entry.path)
          if (dir !== '/') expect(seen.has(dir), entry.path).toBe(true)
          seen.add(entry.path)
        }
      } finally {
        removeContext(context)
      }
    })
  }

  it('sorts a directory right before its children, by path component', () => {
    const spec = { migrationsDir: '/p/m', env: {}, labels: {}, parentOwner: { uid: 7, gid: 8 } } as unknown as ImageSpec
    const entries = layerEntries(spec, ['a-c.sql', 'a/b.sql', 'a/a/x.sql', 'b.sql'])
    expect(entries.map((entry) => entry.path)).toEqual([
      '/p',
      '/p/m',
      '/p/m/a',
      '/p/m/a/a',
      '/p/m/a/a/x.sql',
      '/p/m/a/b.sql',
      '/p/m/a-c.sql',
      '/p/m/b.sql',
    ])
    expect(entries[0]).toEqual({ path: '/p', type: 'directory', mode: 0o755, uid: 7, gid: 8, above: true })
  })
})
