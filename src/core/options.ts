/**
 * Every option of Migration Image, declared once: the action's input (as action.yml holds it), the CLI's flag, the
 * commands the flag goes with, the kind of value and one line of help. The CLI's parser and `--help`, the names that
 * fixes use (`OPTION`, `ACTION_NAMES`, `CLI_NAMES` in option-names.ts) and the values' checks (option-values.ts) all
 * derive from this table; a unit test holds action.yml to it. Adding an option is one entry here plus its use.
 *
 * A leaf module: it imports nothing, so every other module (the errors' fix names among them) can import it.
 */

export type Command = 'validate' | 'hash' | 'dockerfile' | 'build' | 'apply-check'
export const COMMANDS: readonly Command[] = ['validate', 'hash', 'dockerfile', 'build', 'apply-check']

/**
 * What a value may be. `text`: any text without control characters; `bool`: true or false; `choice`: one of
 * `choices` (any case); `size`: bytes, or with KB, MB, GB; `list`: comma- or newline-separated (a repeatable flag);
 * `ref`: a git branch, tag or commit (never an option); `builder`: a buildx builder name; `secret`: masked, never
 * checked or logged.
 */
export type OptionKind = 'text' | 'bool' | 'choice' | 'size' | 'list' | 'ref' | 'builder' | 'secret'

/** The CLI's form of an option. */
export interface FlagSpec {
  /** `--NAME`; `DIR` is the positional argument. */
  readonly name: string
  /** The value's placeholder in the help (`--tool NAME`); none for a boolean flag. */
  readonly value?: string
  readonly commands: readonly Command[]
  readonly help: string
  /** A boolean flag with a `--no-NAME` twin (the CLI's `--cache` / `--no-cache` for a true|false|auto choice). */
  readonly negatable?: boolean
}

export interface OptionSpec {
  readonly kind: OptionKind
  readonly choices?: readonly string[]
  /** The action input's name; undefined for a CLI-only option. */
  readonly input?: string
  /** The input's default, exactly as action.yml holds it ('' when it has none). */
  readonly default?: string
  /** The input's description, exactly as action.yml holds it. */
  readonly description?: string
  /** The CLI's flag; undefined for an action-only input. */
  readonly flag?: FlagSpec
  /** How a fix names this option when it asks the user to change it, when not the input's or the flag's own name. */
  readonly fixName?: { readonly action?: string; readonly cli?: string }
}

const ALL = COMMANDS
const CHECKS: readonly Command[] = ['validate', 'hash', 'dockerfile', 'build', 'apply-check']
const IMAGE: readonly Command[] = ['dockerfile', 'build', 'apply-check']
const BUILD: readonly Command[] = ['build']
const BASE: readonly Command[] = ['validate', 'dockerfile', 'build', 'apply-check']
const APPLY: readonly Command[] = ['apply-check']

export const PROVENANCE_MODES = ['false', 'true', 'mode=min', 'mode=max'] as const
export const CACHE_MODES = ['auto', 'true', 'false'] as const
export const PUSH_MODES = ['auto', 'true', 'false'] as const
export const CHECKSUM_POLICIES = ['required', 'optional'] as const
export const ENGINES = ['buildx', 'registry', 'auto'] as const
/** pull_request_target: the user opts in by name to running strangers' SQL in a workflow that holds secrets. */
export const APPLY_CHECK_MODES = ['false', 'true', 'pull_request_target'] as const
export const SAFETY_MODES = ['warn', 'error', 'off'] as const

export const OPTIONS = {
  dir: {
    kind: 'text',
    input: 'dir',
    default: 'migrations',
    description: 'Migrations directory, relative to the repository root.',
    flag: { name: 'DIR', commands: ALL, help: 'the migrations directory (default: migrations)' },
    fixName: {
      action: 'the dir input (relative to the repository root)',
      cli: 'DIR (relative to the current directory)',
    },
  },
  tool: {
    kind: 'text',
    input: 'tool',
    default: 'atlas',
    description:
      'Migration tool: atlas, golang-migrate, flyway, liquibase, dbmate, goose or psql. Picks the directory rules, the base image, its migrations directory, env and entrypoint.',
    flag: {
      name: 'tool',
      value: 'NAME',
      commands: ALL,
      help: 'migration tool: atlas, golang-migrate, flyway, liquibase, dbmate, goose, psql (default: atlas)',
    },
  },
  format: {
    kind: 'text',
    input: 'format',
    default: '',
    description: "Directory format for atlas.sum; defaults to the tool's own.",
    flag: {
      name: 'format',
      value: 'NAME',
      commands: CHECKS,
      help: "directory format: atlas, golang-migrate, flyway, goose, dbmate, liquibase, psql (default: the tool's)",
    },
  },
  checksum: {
    kind: 'choice',
    choices: CHECKSUM_POLICIES,
    input: 'checksum',
    default: '',
    description:
      'required | optional: whether a missing atlas.sum is an error (default: required for atlas, optional for the others).',
    flag: {
      name: 'checksum',
      value: 'MODE',
      commands: CHECKS,
      help: 'required | optional: is a missing atlas.sum an error (default: required for atlas)',
    },
  },
  changelog: {
    kind: 'text',
    input: 'changelog',
    default: '',
    description: 'Liquibase master changelog, relative to dir, when it is not changelog.xml|yaml|yml|json|sql.',
    flag: {
      name: 'changelog',
      value: 'FILE',
      commands: CHECKS,
      help: 'liquibase: the master changelog, when not changelog.xml|yaml|yml|json|sql',
    },
  },
  maxFileSize: {
    kind: 'size',
    input: 'max-file-size',
    default: '64MB',
    description:
      'Per-file size limit for every file read (migrations, atlas.sum, changelogs): bytes, or with KB, MB, GB. A larger file is an error naming it.',
    flag: {
      name: 'max-file-size',
      value: 'N',
      commands: CHECKS,
      help: 'per-file limit for every file read: bytes, or with KB, MB, GB (default 64MB)',
    },
  },
  json: {
    kind: 'bool',
    flag: { name: 'json', commands: ['validate', 'apply-check'], help: 'print a machine-readable result' },
  },
  selfCheck: {
    kind: 'bool',
    input: 'self-check',
    default: 'false',
    description:
      "Run the tool's offline validation in a build stage (atlas migrate validate, goose validate); the build fails when the tool disagrees.",
    flag: {
      name: 'self-check',
      commands: IMAGE,
      help: "run the tool's offline validation in a build stage (atlas, goose)",
    },
  },
  base: {
    kind: 'ref',
    input: 'base-ref',
    default: '',
    description:
      "Commit or branch to check against (applied migrations unchanged, new ones in order). Defaults to the pull request's base on pull_request events; empty elsewhere skips these checks.",
    flag: {
      name: 'base',
      value: 'REF',
      commands: BASE,
      help: 'also check against REF (a branch or commit): migrations there unchanged, new ones after its latest version',
    },
  },
  allowOutOfOrder: {
    kind: 'bool',
    input: 'allow-out-of-order',
    default: 'false',
    description: "Allow new migrations whose version sorts at or before the base branch's latest.",
    flag: {
      name: 'allow-out-of-order',
      commands: BASE,
      help: "with --base: allow new versions at or before REF's latest",
    },
  },
  safety: {
    kind: 'choice',
    choices: SAFETY_MODES,
    input: 'safety',
    default: 'warn',
    description:
      "warn | error | off. Deploy safety: what each new migration's statements do to a live PostgreSQL database (locks, table rewrites, scans, drops and renames), read by PostgreSQL's own parser with the tool's transactions; warn reports, error fails the check.",
    flag: {
      name: 'safety',
      value: 'MODE',
      commands: BASE,
      help: 'warn (default) | error | off: deploy safety of the new migrations on a live PostgreSQL database',
    },
  },
  postgresVersion: {
    kind: 'text',
    input: 'postgres-version',
    default: '',
    description:
      "PostgreSQL major version deploy safety judges for (e.g. 16); defaults to the database image's major, else 17.",
    flag: {
      name: 'postgres-version',
      value: 'N',
      commands: BASE,
      help: "the PostgreSQL major deploy safety judges for (default: the --database image's, else 17)",
    },
  },
  comment: {
    kind: 'bool',
    input: 'comment',
    default: 'false',
    description: 'Upsert one pull-request comment with the report (needs pull-requests write; skipped on forks).',
  },
  githubToken: {
    kind: 'secret',
    input: 'github-token',
    default: '${{ github.token }}',
    description: 'Token for the pull-request comment.',
  },
  build: {
    kind: 'bool',
    input: 'build',
    default: 'true',
    description: 'false validates only: no Dockerfile, no build, no push.',
  },
  image: {
    kind: 'text',
    input: 'image',
    default: '',
    description: 'Image name without tag. Defaults to ghcr.io/<owner>/<repo>-migrations (lowercased).',
    flag: {
      name: 'image',
      value: 'NAME[:TAG]',
      commands: IMAGE,
      help: 'image name (and a tag, added to the commit sha tag)',
    },
  },
  tags: {
    kind: 'list',
    input: 'tags',
    default: '',
    description:
      'Extra tags (comma or newline separated). Always: the commit sha (the PR head on pull requests); latest on the default branch; the version on v* tag pushes.',
    flag: { name: 'tag', value: 'TAG', commands: BUILD, help: 'another tag, besides the commit sha (repeatable)' },
  },
  push: {
    kind: 'choice',
    choices: PUSH_MODES,
    input: 'push',
    default: 'auto',
    description:
      'auto | true | false. auto pushes on pushes to the default branch and on tag pushes, and only builds on pull requests.',
    flag: { name: 'push', commands: BUILD, help: 'push the tags (default: build only, into the local image store)' },
  },
  baseImage: {
    kind: 'text',
    input: 'base-image',
    default: '',
    description: "Base image instead of the tool's default (a versioned tag, ideally pinned by digest; never latest).",
    flag: {
      name: 'base-image',
      value: 'REF',
      commands: IMAGE,
      help: "base image instead of the tool's default (a versioned tag)",
    },
  },
  platforms: {
    kind: 'list',
    input: 'platforms',
    default: '',
    description:
      'Target platforms, e.g. linux/amd64,linux/arm64 (needs buildx; the Dockerfile has no RUN step, so no emulation).',
    flag: { name: 'platform', value: 'LIST', commands: BUILD, help: 'e.g. linux/amd64,linux/arm64 (needs buildx)' },
  },
  provenance: {
    kind: 'choice',
    choices: PROVENANCE_MODES,
    input: 'provenance',
    default: 'false',
    description:
      'buildx --provenance value. false (default) pushes one plain manifest; true or mode=max attaches a provenance attestation (the image becomes an index).',
    flag: {
      name: 'provenance',
      value: 'MODE',
      commands: BUILD,
      help: 'false (default) | true | mode=min | mode=max: attestations (needs buildx)',
    },
  },
  cache: {
    kind: 'choice',
    choices: CACHE_MODES,
    input: 'cache',
    default: 'auto',
    description:
      "The GitHub Actions cache (type=gha, per-image scope, mode=max) when buildx and the cache service are available: auto uses it only when the build runs a command (self-check: true), since a COPY-only image gains nothing from it (measured: it uploads the base's layers and saves no time); true or false.",
    flag: {
      name: 'cache',
      commands: BUILD,
      negatable: true,
      help: 'use the GitHub Actions cache even for a COPY-only image (default: only with --self-check); --no-cache: never',
    },
    fixName: { action: 'cache: true', cli: '--cache' },
  },
  engine: {
    kind: 'choice',
    choices: ENGINES,
    input: 'engine',
    default: 'buildx',
    description:
      "buildx | registry | auto. buildx builds the Dockerfile with docker; registry assembles the image on the registry (the base's manifest and config plus one layer, every platform at once, no Docker engine); auto uses registry when no Docker engine is reachable.",
    flag: {
      name: 'engine',
      value: 'NAME',
      commands: BUILD,
      help: 'buildx (default) | registry | auto: registry assembles the image without Docker; auto when none runs',
    },
  },
  output: {
    kind: 'text',
    flag: {
      name: 'output',
      value: 'FILE.tar',
      commands: BUILD,
      help: 'with --engine registry and no --push: write an OCI image archive (docker load, podman load)',
    },
  },
  context: {
    kind: 'text',
    flag: {
      name: 'context',
      value: 'DIR',
      commands: ['dockerfile'],
      help: 'also write the build context this Dockerfile builds (as build stages it) into a new directory in DIR',
    },
  },
  builder: {
    kind: 'builder',
    input: 'builder',
    default: '',
    description: 'An existing buildx builder to use as is (e.g. a remote BuildKit or Kubernetes builder).',
    flag: {
      name: 'builder',
      value: 'NAME',
      commands: [...BUILD, ...APPLY],
      help: 'an existing buildx builder to use as it is',
    },
  },
  applyCheck: {
    kind: 'choice',
    choices: APPLY_CHECK_MODES,
    input: 'apply-check',
    default: 'false',
    description:
      "true runs the built image's migrations on a throwaway database: the base branch's first, then the pull request's new ones, the down/up round trip where the tool has a down, and the schema change in the summary. Refused on pull_request_target unless set to pull_request_target.",
  },
  database: {
    kind: 'text',
    input: 'database',
    default: 'postgres:17-alpine',
    description:
      'The throwaway database server image for apply-check (PostgreSQL, MySQL 8 or MariaDB 11), started on a private internal network; with database-url, the image whose clients dump the schema.',
    flag: {
      name: 'database',
      value: 'IMAGE',
      commands: BASE,
      help: "the database: the apply check's throwaway image, and what deploy safety judges for (default postgres:17-alpine; mysql:8.4, mariadb:11)",
    },
  },
  databaseUrl: {
    kind: 'secret',
    input: 'database-url',
    default: '',
    description:
      'A disposable database for apply-check instead of starting one (e.g. a services: container at localhost): the check creates a database of its own there, runs the SQL in it and drops it.',
    flag: {
      name: 'database-url',
      value: 'URL',
      commands: APPLY,
      help: 'a disposable database to use instead (postgres://…, mysql://…): the check creates and drops in it',
    },
  },
  applyTimeout: {
    kind: 'text',
    input: 'apply-timeout',
    default: '10m',
    description: 'Wall-clock limit of the whole apply check (e.g. 90s, 10m); its containers are removed when it ends.',
    flag: {
      name: 'apply-timeout',
      value: 'TIME',
      commands: APPLY,
      help: 'wall-clock limit of the check, e.g. 90s, 10m (default 10m)',
    },
  },
  username: {
    kind: 'text',
    input: 'username',
    default: '${{ github.actor }}',
    description: 'Registry username.',
    flag: {
      name: 'username',
      value: 'USER',
      commands: BUILD,
      help: "log in to the image's registry as USER; the password from stdin, or a prompt at a terminal",
    },
  },
  password: {
    kind: 'secret',
    input: 'password',
    default: '${{ github.token }}',
    description: 'Registry password or token (passed to docker login on stdin, never in argv).',
  },
} as const satisfies Record<string, OptionSpec>

export type OptionKey = keyof typeof OPTIONS

/** The table as a list, in declaration order (the help's order). */
export const OPTION_LIST: readonly (readonly [OptionKey, OptionSpec])[] = Object.entries(OPTIONS) as [
  OptionKey,
  OptionSpec,
][]

/** The CLI's flags (the positional DIR left out), by flag name. */
export const FLAGS: ReadonlyMap<string, readonly [OptionKey, FlagSpec]> = new Map(
  OPTION_LIST.flatMap(([key, spec]) =>
    spec.flag && spec.flag.name !== 'DIR' ? [[spec.flag.name, [key, spec.flag]] as const] : [],
  ),
)
