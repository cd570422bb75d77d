import type { BaseImage } from './image-ref.js'
import type { Preset } from './presets.js'
import { hasControlCharacter } from './text.js'

/** Directory of the migrations inside the build context; the runner script sits beside it. */
export const CONTEXT_MIGRATIONS = 'migrations'
export const CONTEXT_RUNNER = 'migrate.sh'

export interface DockerfileInput {
  readonly preset: Preset
  readonly base: BaseImage
  /** OCI and migration-image labels; values are quoted and escaped here. */
  readonly labels: Readonly<Record<string, string>>
}

const LABEL_KEY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/** A Dockerfile double-quoted word: escape `\\`, `"` and `$` (LABEL values undergo variable expansion). */
function quote(value: string): string {
  if (hasControlCharacter(value)) throw new Error(`label value has a control character: ${JSON.stringify(value)}`)
  return `"${value.replace(/[\\"$]/g, (char) => `\\${char}`)}"`
}

/**
 * The Dockerfile: the tool's base, the migrations copied (read-only modes come from the staged files, so the
 * legacy builder and BuildKit agree), the tool's env, a non-root user where the base runs as root, and labels
 * last (they touch only the config). No RUN step, so any platform builds without emulation, and no `# syntax=`
 * line (it would pull a frontend image).
 */
export function renderDockerfile({ preset, base, labels }: DockerfileInput): string {
  const lines = [`FROM ${base.reference}`, `COPY ${CONTEXT_MIGRATIONS}/ ${preset.migrationsDir}/`]
  if (preset.runner) lines.push(`COPY ${CONTEXT_RUNNER} ${preset.runner.path}`)
  const env = Object.entries(preset.env)
  if (env.length > 0) lines.push(`ENV ${env.map(([key, value]) => `${key}=${quote(value)}`).join(' \\\n    ')}`)
  if (preset.user) lines.push(`USER ${preset.user}`)
  if (preset.runner) lines.push(`ENTRYPOINT ["${preset.runner.path}"]`, 'CMD []')
  const entries = Object.entries(labels)
  for (const [key] of entries) {
    if (!LABEL_KEY.test(key)) throw new Error(`label key is not allowed: ${JSON.stringify(key)}`)
  }
  if (entries.length > 0) {
    lines.push(`LABEL ${entries.map(([key, value]) => `${key}=${quote(value)}`).join(' \\\n      ')}`)
  }
  return `${lines.join('\n')}\n`
}
