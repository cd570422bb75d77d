import type { BaseImage } from './image-ref.js'
import type { Preset } from './presets.js'

/**
 * The image, described once: the base, the one layer of files it adds (paths, modes, owner), and the config fields
 * it sets. The Dockerfile (src/core/image/dockerfile.ts, for buildx and the legacy builder) and the registry engine's
 * layer and config edits (src/core/image/oci.ts) are both derived from this, so the two engines build the same image.
 */
export interface ImageSpec {
  readonly base: BaseImage
  /** Where the migrations go (`/flyway/sql`): a directory the layer creates, read-only. */
  readonly migrationsDir: string
  /** Owner of the directories above the migrations directory (the base's, as its official image has them). */
  readonly parentOwner: { readonly uid: number; readonly gid: number }
  /** The psql preset's runner script, at this path in the image (mode 0555). */
  readonly runner?: { readonly path: string; readonly text: string }
  /** ENV, in the order written: a name the base has is replaced, a new one appended (Docker's rule). */
  readonly env: Readonly<Record<string, string>>
  /** USER; undefined keeps the base's. */
  readonly user?: string
  /** ENTRYPOINT (exec form); with it the base's CMD is dropped (`CMD []`). Undefined keeps both of the base's. */
  readonly entrypoint?: readonly string[]
  /** WORKDIR; undefined keeps the base's (no preset sets one). */
  readonly workdir?: string
  /** LABELs, in the order written; they replace the base's labels of the same name. */
  readonly labels: Readonly<Record<string, string>>
  /** The image's creation time (ISO 8601) from the commit; undefined: 1970-01-01 (SOURCE_DATE_EPOCH=0). */
  readonly created?: string
  /** The tool's offline check, run in a build stage (buildx only: the registry engine runs nothing). */
  readonly selfCheck?: readonly string[]
}

/** Owner and modes of everything the layer adds: root-owned and read-only, as staged for COPY (which keeps them). */
export const LAYER_UID = 0
export const LAYER_GID = 0
export const DIR_MODE = 0o555
export const FILE_MODE = 0o444
export const RUNNER_MODE = 0o555
/** The directories above what the layer adds (`/db` above `/db/migrations`, `/usr/local/bin` above the runner). */
export const PARENT_MODE = 0o755
/** Every entry's modification time (seconds): the staged context's (STAGED_MTIME), so COPY's layer has it too. */
export const LAYER_MTIME = 0

/** One entry of the added layer. `path` is absolute in the image, without a trailing slash. */
export interface LayerEntry {
  readonly path: string
  readonly type: 'directory' | 'file'
  readonly mode: number
  readonly uid: number
  readonly gid: number
  /**
   * A directory above the migrations directory or the runner: the base's own when it has it. Written (root or the
   * preset's owner, 0755) so that a base without it gets what COPY would make, never left to the engine that unpacks
   * the layer (Docker makes a missing parent 0600). Not staged: COPY makes it.
   */
  readonly above?: true
  /** Files: a name inside the staged migrations directory, or the runner's text. */
  readonly source?: { readonly staged: string } | { readonly text: string }
}

export interface SpecInput {
  readonly preset: Preset
  readonly base: BaseImage
  readonly labels: Readonly<Record<string, string>>
  /** Env worked out from the directory (Liquibase's master changelog), after the preset's. */
  readonly env?: Readonly<Record<string, string>>
  readonly selfCheck?: boolean
  readonly created?: string
  /** The psql runner's script (src/core/image/psql-runner.ts); only used by presets with a runner. */
  readonly runnerText?: string
}

/** The spec for a preset and what the directory adds to it. */
export function describeImage({
  preset,
  base,
  labels,
  env = {},
  selfCheck,
  created,
  runnerText,
}: SpecInput): ImageSpec {
  return {
    base,
    migrationsDir: `/${preset.migrationsDir.split('/').filter(Boolean).join('/')}`,
    parentOwner: preset.parentOwner ?? { uid: LAYER_UID, gid: LAYER_GID },
    runner: preset.runner ? { path: preset.runner.path, text: runnerText ?? '' } : undefined,
    env: { ...preset.env, ...env },
    user: preset.user,
    entrypoint: preset.runner ? [preset.runner.path] : preset.entrypoint,
    labels,
    created,
    selfCheck: selfCheck && preset.selfCheck ? preset.selfCheck : undefined,
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The layer's entries for the staged file names (slash paths inside the migrations directory): the directories
 * above it, the migrations directory, every directory below it before its children, the files, and the runner;
 * sorted by path (a directory right before what it holds).
 */
export function layerEntries(spec: ImageSpec, names: readonly string[]): LayerEntry[] {
  const root = spec.migrationsDir
  const entry = (path: string, type: LayerEntry['type'], mode: number, source?: LayerEntry['source']): LayerEntry => ({
    path,
    type,
    mode,
    uid: LAYER_UID,
    gid: LAYER_GID,
    ...(source ? { source } : {}),
  })
  const dirs = new Set<string>()
  const files: LayerEntry[] = []
  for (const name of names) {
    const parts = name.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
    files.push(entry(`${root}/${name}`, 'file', FILE_MODE, { staged: name }))
  }
  const entries = [
    entry(root, 'directory', DIR_MODE),
    ...[...dirs].map((dir) => entry(`${root}/${dir}`, 'directory', DIR_MODE)),
    ...files,
  ]
  if (spec.runner) entries.push(entry(spec.runner.path, 'file', RUNNER_MODE, { text: spec.runner.text }))
  const above = new Set<string>()
  for (const path of [root, ...(spec.runner ? [spec.runner.path] : [])]) {
    const parts = path.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) above.add(`/${parts.slice(0, i).join('/')}`)
  }
  for (const path of above) {
    entries.push({ path, type: 'directory', mode: PARENT_MODE, ...spec.parentOwner, above: true })
  }
  // Sorted so that a directory comes right before its children: compare path components, not whole strings
  // (`a/b` before `a-c`, though '-' < '/').
  return entries.sort((a, b) => {
    const x = a.path.split('/')
    const y = b.path.split('/')
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return compare(x[i], y[i])
    }
    return x.length - y.length
  })
}

/** The config's `created`: the spec's time in whole seconds (as SOURCE_DATE_EPOCH gives buildx), RFC 3339. */
export function createdTime(spec: Pick<ImageSpec, 'created'>): string {
  const time = spec.created === undefined ? NaN : Date.parse(spec.created)
  const seconds = Number.isFinite(time) && time >= 0 ? Math.floor(time / 1000) : 0
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
