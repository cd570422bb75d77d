import { showName } from '../escape.js'
import { didYouMean } from '../text.js'
import { UsageError } from '../errors.js'

/** How a migration tool's official image expects its migrations; the Dockerfile is rendered from this. */
export interface Preset {
  readonly tool: string
  /** Directory format whose rules validate the migrations and feed atlas.sum. */
  readonly format: string
  /** Official image at a versioned tag (never `latest`); `base-image` replaces it. */
  readonly baseImage: string
  /** Where the migrations go in the image. */
  readonly migrationsDir: string
  readonly env: Readonly<Record<string, string>>
  /** Env variable that gets the master changelog's path (Liquibase). */
  readonly changelogEnv?: string
  /** Numeric `USER` for bases that run as root; undefined keeps the base's user. */
  readonly user?: string
  /** Exec-form entrypoint replacing the base's (golang-migrate gets `-path` wired); undefined keeps it. */
  readonly entrypoint?: readonly string[]
  /**
   * Owner of the directories above the migrations directory, as the official base has them (Liquibase's /liquibase
   * belongs to its user); root when unset. The registry engine writes them (mode 0755) so a base without them gets
   * them, as COPY would make them.
   */
  readonly parentOwner?: { readonly uid: number; readonly gid: number }
  /** A script shipped in the image as its entrypoint (psql). */
  readonly runner?: { readonly path: string }
  /** The tool's offline validation, run in a build stage by `self-check: true` (exec form). */
  readonly selfCheck?: readonly string[]
  /** The `docker run` line that migrates a database (README, summary). */
  readonly runExample: string
}

const NOBODY = '65534:65534'

// Each base as its own Dockerfile builds it (user, entrypoint, what it writes): README, "The base images".
const PRESETS: readonly Preset[] = [
  {
    tool: 'atlas',
    format: 'atlas',
    baseImage: 'arigaio/atlas:1.2.3',
    migrationsDir: '/migrations',
    env: {},
    user: NOBODY,
    selfCheck: ['/atlas', 'migrate', 'validate', '--dir', 'file:///migrations'],
    runExample: 'docker run --rm IMAGE migrate apply --dir file:///migrations --url "$DATABASE_URL"',
  },
  {
    tool: 'golang-migrate',
    format: 'golang-migrate',
    baseImage: 'migrate/migrate:v4.19.1',
    migrationsDir: '/migrations',
    env: {},
    user: NOBODY,
    entrypoint: ['migrate', '-path', '/migrations'],
    runExample: 'docker run --rm IMAGE -database "$DATABASE_URL" up',
  },
  {
    tool: 'flyway',
    format: 'flyway',
    baseImage: 'flyway/flyway:13.0.0',
    migrationsDir: '/flyway/sql',
    env: { FLYWAY_LOCATIONS: 'filesystem:/flyway/sql' },
    user: NOBODY,
    runExample: 'docker run --rm -e FLYWAY_URL -e FLYWAY_USER -e FLYWAY_PASSWORD IMAGE migrate',
  },
  {
    tool: 'liquibase',
    format: 'liquibase',
    baseImage: 'liquibase/liquibase:4.33.0',
    migrationsDir: '/liquibase/changelog',
    env: { LIQUIBASE_SEARCH_PATH: '/liquibase/changelog' },
    changelogEnv: 'LIQUIBASE_COMMAND_CHANGELOG_FILE',
    parentOwner: { uid: 1001, gid: 1001 },
    runExample:
      'docker run --rm -e LIQUIBASE_COMMAND_URL -e LIQUIBASE_COMMAND_USERNAME -e LIQUIBASE_COMMAND_PASSWORD IMAGE update',
  },
  {
    tool: 'dbmate',
    format: 'dbmate',
    baseImage: 'ghcr.io/amacneil/dbmate:2.35.0',
    migrationsDir: '/db/migrations',
    env: { DBMATE_MIGRATIONS_DIR: '/db/migrations', DBMATE_NO_DUMP_SCHEMA: 'true' },
    user: NOBODY,
    runExample: 'docker run --rm -e DATABASE_URL IMAGE up',
  },
  {
    tool: 'goose',
    format: 'goose',
    baseImage: 'ghcr.io/kukymbr/goose-docker:3.27.1',
    migrationsDir: '/migrations',
    env: { GOOSE_MIGRATION_DIR: '/migrations' },
    user: NOBODY,
    selfCheck: ['goose', '-dir', '/migrations', 'validate'],
    runExample: 'docker run --rm -e GOOSE_DRIVER=postgres -e GOOSE_DBSTRING="$DATABASE_URL" IMAGE',
  },
  {
    tool: 'psql',
    format: 'psql',
    baseImage: 'postgres:18-alpine',
    migrationsDir: '/migrations',
    env: { MIGRATIONS_DIR: '/migrations' },
    user: NOBODY,
    runner: { path: '/usr/local/bin/migration-image-migrate' },
    runExample: 'docker run --rm -e DATABASE_URL IMAGE',
  },
]

export const toolNames: readonly string[] = PRESETS.map(({ tool }) => tool)

/** The preset for a tool, by name in any case (`Flyway` is `flyway`). */
export function getPreset(tool: string): Preset {
  const preset = PRESETS.find((candidate) => candidate.tool === tool.trim().toLowerCase())
  if (!preset) {
    throw new UsageError(`unknown tool '${showName(tool)}'${didYouMean(tool, toolNames)}`, {
      fix: `use one of: ${toolNames.join(', ')}`,
    })
  }
  return preset
}
