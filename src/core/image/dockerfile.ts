import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import { describeImage, type ImageSpec, type SpecInput } from './spec.js'
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

export type DockerfileInput = Omit<SpecInput, 'runnerText'>

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

/** The Dockerfile for the legacy builder (docker build without BuildKit), which refuses `COPY --link`. */
export const withoutLink = (dockerfile: string): string => dockerfile.replace(/^COPY --link /gm, 'COPY ')

/** The Dockerfile for a preset (its spec, see renderSpec). */
export const renderDockerfile = (input: DockerfileInput): string => renderSpec(describeImage(input))

/**
 * The Dockerfile of an image spec: the base, the migrations copied (read-only modes come from the staged files, so
 * the legacy builder and BuildKit agree), the tool's env, a numeric non-root user where the base runs as root, and
 * labels last (they touch only the config). No RUN step unless the self-check stage is asked for, so any platform
 * builds without emulation; no `# syntax=` line (it would pull a frontend image).
 */
export function renderSpec(spec: ImageSpec): string {
  const lines: string[] = []
  const base = spec.base.reference
  const parent = parentOf(spec.migrationsDir)
  const copy = `COPY ${CONTEXT_IMAGE}/ ${parent}`
  if (!spec.selfCheck && parent === '/') {
    // `COPY --link`: BuildKit builds the layer on its own, without the base's filesystem (bench/publish-buildx: about
    // a third less time for a new migration). Only where the migrations directory sits directly under `/`: the
    // layer then holds that directory and nothing else, so no directory of the base (its owner, its mode) is
    // replaced. The legacy builder does not know the flag: it gets `withoutLink()` of this file.
    lines.push(`FROM ${base}`, `COPY --link ${CONTEXT_IMAGE}/ /`)
  } else if (spec.selfCheck) {
    // BuildKit skips stages nothing depends on: the final stage copies the migrations from this one. The checked
    // copy sits alone under /migration-image so that its directory (and its mode) is what the final stage copies.
    lines.push(
      `FROM ${base} AS self-check`,
      copy,
      `COPY ${CONTEXT_IMAGE}/ /migration-image/`,
      `RUN ${execForm(spec.selfCheck)}`,
      '',
    )
    lines.push(`FROM ${base}`, `COPY --from=self-check /migration-image/ ${parent}`)
  } else {
    lines.push(`FROM ${base}`, copy)
  }
  if (spec.runner) lines.push(`COPY ${CONTEXT_RUNNER} ${spec.runner.path}`)
  lines.push(...pairs('ENV', spec.env))
  if (spec.workdir) lines.push(`WORKDIR ${spec.workdir}`)
  if (spec.user) lines.push(`USER ${spec.user}`)
  if (spec.entrypoint) lines.push(`ENTRYPOINT ${execForm(spec.entrypoint)}`, 'CMD []')
  lines.push(...pairs('LABEL', spec.labels))
  return `${lines.join('\n')}\n`
}

/** Where an image path is staged in the build context (the migrations under `image/<name>`, the runner beside). */
export function contextPath(spec: ImageSpec, imagePath: string): string {
  if (spec.runner && imagePath === spec.runner.path) return CONTEXT_RUNNER
  const root = spec.migrationsDir
  if (imagePath !== root && !imagePath.startsWith(`${root}/`)) {
    throw new Error(`${imagePath} is not under ${root}`)
  }
  return `${contextMigrations(root)}${imagePath.slice(root.length)}`
}
