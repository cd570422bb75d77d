import { createHash } from 'node:crypto'

/** The label that carries the content key: a later run with the same key re-tags this image instead of building. */
export const CONTENT_KEY_LABEL = 'io.migration-image.content-key'

/** The old image's commit, from its labels, for "unchanged since <sha>". */
export const REVISION_LABEL = 'org.opencontainers.image.revision'

/** One file of the staged build context (the Dockerfile excluded: it goes in as text, without the commit labels). */
export interface StagedFile {
  /** Slash path inside the context. */
  readonly name: string
  /** Permission bits as staged (the image keeps them). */
  readonly mode: number
  readonly bytes: Uint8Array
}

/** Everything the image is made of. Two runs with equal inputs build equal images, so the key can stand for one. */
export interface ContentKeyInput {
  /** The validation's migrations checksum (atlas.sum's total). */
  readonly checksum: string
  readonly tool: string
  /** The base image as pulled: `name@sha256:…` (the registry's digest), never a tag alone. */
  readonly base: string
  /** The Dockerfile rendered without the revision and created labels (and without this key). */
  readonly dockerfile: string
  readonly files: readonly StagedFile[]
  /** What the build makes of it: the platforms and the provenance setting change the pushed manifest. */
  readonly platforms: readonly string[]
  readonly provenance: string
}

/**
 * `sha256:<hex>` over every input, each field length-prefixed (so no two inputs frame to the same bytes) and the
 * files in name order. Version 1 of the framing; a change to it must change the prefix.
 */
export function contentKey(input: ContentKeyInput): string {
  const hash = createHash('sha256')
  const field = (value: string | Uint8Array): void => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    const length = Buffer.alloc(8)
    length.writeBigUInt64BE(BigInt(bytes.length))
    hash.update(length)
    hash.update(bytes)
  }
  field('migration-image content key v1')
  field(input.checksum)
  field(input.tool)
  field(input.base)
  field(input.dockerfile)
  field([...input.platforms].sort().join(','))
  field(input.provenance.trim().toLowerCase())
  const files = [...input.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  field(String(files.length))
  for (const file of files) {
    field(file.name)
    field((file.mode & 0o7777).toString(8))
    field(file.bytes)
  }
  return `sha256:${hash.digest('hex')}`
}

/**
 * The modification time of every staged file and directory: one constant (1970-01-01), not the commit's time.
 * BuildKit's COPY keeps mtimes in the layer, but its cache key for COPY leaves them out: a layer cached from a build
 * with other mtimes would be reused as it is, and the same input would give another digest depending on the cache.
 */
export const STAGED_MTIME = 0

/**
 * SOURCE_DATE_EPOCH for buildx (the time BuildKit writes in the config and history instead of the build's clock):
 * the `created` label's time in whole seconds, or 0 when there is none.
 */
export function epochSeconds(created: string | undefined): number {
  const time = created === undefined ? NaN : Date.parse(created)
  return Number.isFinite(time) && time >= 0 ? Math.floor(time / 1000) : 0
}
