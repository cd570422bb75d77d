import { UsageError } from './errors.js'

/** How a migration tool's official image expects its migrations; the Dockerfile is rendered from this. */
export interface Preset {
  readonly tool: string
  /** Directory format whose rules validate the migrations and feed atlas.sum. */
  readonly format: string
  /** Official image at a versioned tag (never `latest`). */
  readonly baseImage: string
  /** Where the migrations go in the image. */
  readonly migrationsDir: string
  readonly env: Readonly<Record<string, string>>
  /** Numeric `USER` for bases that would run as root; undefined keeps the base's user. */
  readonly user?: string
  /** A script shipped in the image as its entrypoint (psql); undefined keeps the base's entrypoint. */
  readonly runner?: { readonly path: string }
  /** The `docker run` line that migrates a database, for the README and the summary. */
  readonly runExample: string
}

const PRESETS: readonly Preset[] = [
  {
    tool: 'atlas',
    format: 'atlas',
    baseImage: 'arigaio/atlas:0.38.0',
    migrationsDir: '/migrations',
    env: {},
    runExample: 'docker run --rm IMAGE migrate apply --dir file:///migrations --url "$DATABASE_URL"',
  },
  {
    tool: 'psql',
    format: 'psql',
    baseImage: 'postgres:17-alpine',
    migrationsDir: '/migrations',
    env: { MIGRATIONS_DIR: '/migrations' },
    user: '65534:65534',
    runner: { path: '/usr/local/bin/migration-image-migrate' },
    runExample: 'docker run --rm -e DATABASE_URL IMAGE',
  },
]

export const toolNames: readonly string[] = PRESETS.map(({ tool }) => tool)

export function getPreset(tool: string): Preset {
  const preset = PRESETS.find((candidate) => candidate.tool === tool)
  if (!preset) throw new UsageError(`unknown tool '${tool}'`, { fix: `use one of: ${toolNames.join(', ')}` })
  return preset
}
