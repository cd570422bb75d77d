import type { CacheMode } from './build/plan.js'
import type { ENGINES } from './options.js'
import type { ImageName } from './image/image-ref.js'
import type { OptionNames } from './option-names.js'
import type { Command } from './options.js'
import type { ChecksumPolicy } from './check/validate.js'
import type { SafetySettings } from './safety/collect.js'

/**
 * One run of Migration Image, as the action's inputs and event or the CLI's arguments describe it. The adapters build
 * it (src/action/inputs.ts, src/cli/args.ts) and validate every value while doing so; everything after trusts it.
 */
export interface Request {
  /** What the run does: check only, write atlas.sum, print the Dockerfile, or build (and maybe push) the image. */
  readonly command: Command
  /** The directory and how to read it. */
  readonly check: CheckRequest
  /** The base-branch rules (pull requests, `base-ref`, `--base`); undefined when there is no base to compare with. */
  readonly base?: BaseRequest
  /** The image (dockerfile and build only). */
  readonly image?: ImageRequest
  /** The apply check after the build (apply-check: true, the CLI's apply-check command). */
  readonly apply?: ApplyRequest
  /** How messages name the options: the action's inputs or the CLI's flags. */
  readonly names: OptionNames
}

export interface CheckRequest {
  /** The migrations directory, as the user wrote it (relative to the working directory). */
  readonly dir: string
  /** The migration tool: its preset (image, paths, user) and, unless `format` says otherwise, its rules. */
  readonly tool: string
  /** The directory format whose rules validate it and feed atlas.sum (default: the tool's). */
  readonly format: string
  /** Whether a missing atlas.sum is an error (default: required for atlas, optional for the others). */
  readonly checksum?: ChecksumPolicy
  /** Liquibase's master changelog, when it is not one of the usual names. */
  readonly changelog?: string
  /** Per-file read limit in bytes (default 64 MB). */
  readonly maxFileSize?: number
  /** Deploy safety: its mode and the PostgreSQL version (default: warn, 17). */
  readonly safety?: SafetySettings
}

export interface BaseRequest {
  /** The git ref or commit the directory is compared with (never starts with `-`). */
  readonly ref: string
  /** How the base is named in messages (the branch name on pull requests). */
  readonly name: string
  /** The head commit, to fetch when a shallow checkout lacks it. */
  readonly headRef?: string
  /** Allow new versions at or before the base's latest one. */
  readonly allowOutOfOrder: boolean
  /** What to do when the commit is not in the checkout, in the adapter's terms (actions/checkout, or git fetch). */
  readonly missingFix: string
}

export type Engine = (typeof ENGINES)[number]

export interface ImageRequest {
  readonly name: ImageName
  /** Tags, not references; the first is the commit's (or the first one given when there is no commit). */
  readonly tags: readonly string[]
  /** The commit the image is made from (the revision label); undefined when there is none. */
  readonly revision?: string
  /**
   * The checkout's HEAD is the commit (the CLI): the pipeline reads it from git, and its sha becomes the revision and
   * the first tag. The action knows its commit from the event (`revision`).
   */
  readonly fromHead?: boolean
  /**
   * The image's creation time (ISO 8601): SOURCE_DATE_EPOCH, or else the commit's time, which the pipeline reads from
   * git; never the wall clock.
   */
  readonly created?: string
  /** The repository's URL (the source label). */
  readonly source?: string
  /** Push the tags; `pushReason` says why or why not. */
  readonly push: boolean
  readonly pushReason: string
  /** Keep the image in the local store when not pushing (the CLI's build). */
  readonly load: boolean
  /** Replaces the tool's default base image. */
  readonly baseImage?: string
  readonly platforms: readonly string[]
  /** `--provenance` value: false, true, mode=min, mode=max. */
  readonly provenance: string
  /** The GitHub Actions cache: `auto`, `true`, `false` (planPublish decides what auto means). */
  readonly cache: CacheMode
  /**
   * How the image is made: `buildx` (the Dockerfile, with docker), `registry` (assembled on the registry from the
   * base's documents and one layer, no Docker engine), `auto` (registry when no Docker engine is reachable).
   */
  readonly engine: Engine
  /** The CLI's `--output FILE.tar`: the registry engine writes an OCI image archive there instead of pushing. */
  readonly output?: string
  /** The CLI's `dockerfile --context DIR`: the staged build context is written into a new directory in DIR. */
  readonly contextDir?: string
  /** An existing buildx builder to use as it is (never starts with `-`). */
  readonly builder?: string
  /** Run the tool's offline validation in a build stage (atlas, goose). */
  readonly selfCheck: boolean
  /** Registry login; the password reaches docker on stdin only. */
  readonly credentials?: { readonly username: string; readonly password: string }
}

export interface ApplyRequest {
  /** The throwaway server's image, started on a private internal network (default postgres:17-alpine). */
  readonly database: string
  /** An existing disposable database instead (a `services:` container): the check creates and drops in it. */
  readonly databaseUrl?: string
  /** The whole check's wall-clock limit (apply-timeout, default 10 minutes). */
  readonly timeoutMs: number
}
