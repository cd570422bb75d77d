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
  /** A script shipped in the image as its entrypoint (psql). */
  readonly runner?: { readonly path: string }
  /** The tool's offline validation, run in a build stage by `self-check: true` (exec form). */
  readonly selfCheck?: readonly string[]
  /** The `docker run` line that migrates a database (README, summary). */
  readonly runExample: string
}

const NOBODY = '65534:65534'

/*
 * Each base as its own Dockerfile builds it (read at the pinned release):
 * - arigaio/atlas: the `atlas` binary at /atlas, runs as root, reads only; Hub tags have no `v` (1.2.3: the
 *   newest release tag of ariga/atlas that could be confirmed; `-community` variants exist for the Apache-2.0 build).
 * - migrate/migrate (golang-migrate/migrate Dockerfile, v4.19.1): alpine, root, ENTRYPOINT ["migrate"], reads only.
 * - flyway/flyway (flyway/flyway flyway-docker/dockerfiles/base/Dockerfile, 13.0.0): eclipse-temurin JRE, root,
 *   /flyway world-readable, ENTRYPOINT ["flyway"].
 * - liquibase/liquibase (liquibase/docker Dockerfile at v4.33.0): eclipse-temurin JRE, USER liquibase (uid 1001),
 *   ENTRYPOINT /liquibase/docker-entrypoint.sh. 4.33.0 is Liquibase's last 4.x release and the last image with the
 *   JDBC drivers bundled (Apache-2.0); 5.x images ship no drivers (`lpm add postgresql --global`) under the FSL
 *   licence. The base's own non-root user is kept. Its 4.33.0 entrypoint adds no search path, so the preset sets one.
 * - ghcr.io/amacneil/dbmate (amacneil/dbmate Dockerfile `release` stage; 2.36.0, the release the e2e tests run, whose
 *   rules were read at v2.35.0 and hold on every fixture against 2.36.0; tags from docker/metadata-action semver,
 *   no `v`): alpine, root, ENTRYPOINT ["/usr/local/bin/dbmate"]. dbmate writes db/schema.sql after
 *   migrating unless DBMATE_NO_DUMP_SCHEMA=true, which the preset sets so a non-root user cannot break `up`.
 * - ghcr.io/kukymbr/goose-docker (kukymbr/goose-docker Dockerfile, v3.27.1; README pins `3.27.1`): alpine, root,
 *   goose at /bin/goose, entrypoint /goose-docker/entrypoint.sh with -dir=/migrations.
 * - postgres:<major>-alpine: root, with a postgres user (uid 70); psql only reads.
 */

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
    runExample:
      'docker run --rm -e LIQUIBASE_COMMAND_URL -e LIQUIBASE_COMMAND_USERNAME -e LIQUIBASE_COMMAND_PASSWORD IMAGE update',
  },
  {
    tool: 'dbmate',
    format: 'dbmate',
    baseImage: 'ghcr.io/amacneil/dbmate:2.36.0',
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
