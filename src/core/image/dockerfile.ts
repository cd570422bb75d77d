import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import type { BaseImage } from './image-ref.js'
import type { Preset } from './presets.js'
import { hasControlCharacter } from '../text.js'

/**
 * The build context holds `image/<name>/…`, where `<name>` is the last part of the tool's migrations directory, and
 * `COPY image/ <parent>/` copies that directory itself — with its read-only mode. (`COPY dir/ /migrations/` copies
 * only the contents, and the builder makes `/migrations` 0755.) The runner script sits beside `image/`.
 */
const CONTEXT_IMAGE = 'image'
export const CONTEXT_RUNNER = 'migrate.sh'

/** Where the migrations are staged in the context, for a tool's migrations directory (`/flyway/sql` → `image/sql`). */
export const contextMigrations = (migrationsDir: string): string =>
  `${CONTEXT_IMAGE}/${migrationsDir.split('/').filter(Boolean).at(-1) ?? 'migrations'}`

const parentOf = (migrationsDir: string): string => {
  const parent = migrationsDir.split('/').filter(Boolean).slice(0, -1).join('/')
  return parent ? `/${parent}/` : '/'
}

export interface DockerfileInput {
  readonly preset: Preset
  readonly base: BaseImage
  /** OCI and migration-image labels; values are quoted and escaped here. */
  readonly labels: Readonly<Record<string, string>>
  /** Env worked out from the directory (Liquibase's master changelog). */
  readonly env?: Readonly<Record<string, string>>
  /** Run the tool's offline validation in a build stage first. */
  readonly selfCheck?: boolean
}

const KEY = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/

/** A Dockerfile double-quoted word: escape `\\`, `"` and `$` (ENV and LABEL values undergo variable expansion). */
function quote(key: string, value: string): string {
  if (hasControlCharacter(value)) {
    throw new UsageError(`${key} value has a control character: ${showName(value)}`, {
      fix: `remove line breaks and control characters from what sets ${key}`,
    })
  }
  return `"${value.replace(/[\\"$]/g, (char) => `\\${char}`)}"`
}

function pairs(instruction: string, values: Readonly<Record<string, string>>): string[] {
  const entries = Object.entries(values)
  for (const [key] of entries) {
    if (!KEY.test(key)) throw new UsageError(`${instruction} key is not allowed: ${showName(key)}`)
  }
  if (entries.length === 0) return []
  const indent = ' '.repeat(instruction.length + 1)
  return [
    `${instruction} ${entries.map(([key, value]) => `${key}=${quote(`${instruction} ${key}`, value)}`).join(` \\\n${indent}`)}`,
  ]
}

const execForm = (argv: readonly string[]): string => JSON.stringify(argv).replace(/","/g, '", "')

/**
 * The Dockerfile: the tool's base, the migrations copied (read-only modes come from the staged files, so the
 * legacy builder and BuildKit agree), the tool's env, a numeric non-root user where the base runs as root, and
 * labels last (they touch only the config). No RUN step unless the self-check stage is asked for, so any platform
 * builds without emulation; no `# syntax=` line (it would pull a frontend image).
 */
/** The Dockerfile for the legacy builder (docker build without BuildKit), which refuses `COPY --link`. */
export const withoutLink = (dockerfile: string): string => dockerfile.replace(/^COPY --link /gm, 'COPY ')

export function renderDockerfile({ preset, base, labels, env = {}, selfCheck = false }: DockerfileInput): string {
  const lines: string[] = []
  const copy = `COPY ${CONTEXT_IMAGE}/ ${parentOf(preset.migrationsDir)}`
  if (!(selfCheck && preset.selfCheck) && parentOf(preset.migrationsDir) === '/') {
    // `COPY --link`: BuildKit builds the layer on its own, without the base's filesystem (bench/publish-buildx: about
    // a third less time for a new migration). Only where the migrations directory sits directly under `/`: the
    // layer then holds that directory and nothing else, so no directory of the base (its owner, its mode) is
    // replaced. The legacy builder does not know the flag: it gets `withoutLink()` of this file.
    lines.push(`FROM ${base.reference}`, `COPY --link ${CONTEXT_IMAGE}/ /`)
  } else if (selfCheck && preset.selfCheck) {
    // BuildKit skips stages nothing depends on: the final stage copies the migrations from this one. The checked
    // copy sits alone under /migration-image so that its directory (and its mode) is what the final stage copies.
    lines.push(
      `FROM ${base.reference} AS self-check`,
      copy,
      `COPY ${CONTEXT_IMAGE}/ /migration-image/`,
      `RUN ${execForm(preset.selfCheck)}`,
      '',
    )
    lines.push(`FROM ${base.reference}`, `COPY --from=self-check /migration-image/ ${parentOf(preset.migrationsDir)}`)
  } else {
    lines.push(`FROM ${base.reference}`, copy)
  }
  if (preset.runner) lines.push(`COPY ${CONTEXT_RUNNER} ${preset.runner.path}`)
  lines.push(...pairs('ENV', { ...preset.env, ...env }))
  if (preset.user) lines.push(`USER ${preset.user}`)
  const entrypoint = preset.runner ? [preset.runner.path] : preset.entrypoint
  if (entrypoint) lines.push(`ENTRYPOINT ${execForm(entrypoint)}`, 'CMD []')
  lines.push(...pairs('LABEL', labels))
  return `${lines.join('\n')}\n`
}
