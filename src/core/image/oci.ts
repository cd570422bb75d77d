import { createdTime, type ImageSpec } from './spec.js'

// The OCI image documents the registry engine reads and writes (image-spec v1.1, and Docker's schema 2 family,
// which ghcr.io and Docker Hub still serve for many images). Pure: the bytes come from src/io/registry.ts, which
// has checked their digests; everything in them is still hostile, so each field is checked before use.

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const

export const INDEX_TYPES: readonly string[] = [MEDIA.ociIndex, MEDIA.dockerList]
export const MANIFEST_TYPES: readonly string[] = [MEDIA.ociManifest, MEDIA.dockerManifest]

const DIGEST = /^sha256:[a-f0-9]{64}$/

export interface Descriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  readonly platform?: Platform
  readonly annotations?: Readonly<Record<string, string>>
}

export interface Platform {
  readonly os: string
  readonly architecture: string
  readonly variant?: string
}

/** An error in a document the registry sent: what it is, and what is wrong with it. */
export class DocumentError extends Error {}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

export function parseDocument(bytes: Uint8Array, what: string): Json {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw new DocumentError(`${what} is not JSON`)
  }
  if (!isObject(value)) throw new DocumentError(`${what} is not a JSON object`)
  return value
}

/** A descriptor, checked: a sha256 digest, a size that is a safe non-negative integer, a media type. */
export function descriptor(value: unknown, what: string): Descriptor {
  if (!isObject(value)) throw new DocumentError(`${what} is not a descriptor`)
  const { mediaType, digest, size, platform, annotations } = value
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new DocumentError(`${what} has no sha256 digest`)
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new DocumentError(`${what} has no valid size`)
  }
  if (typeof mediaType !== 'string' || mediaType.length > 255) throw new DocumentError(`${what} has no media type`)
  const result: { -readonly [K in keyof Descriptor]: Descriptor[K] } = { mediaType, digest, size }
  if (isObject(platform) && typeof platform.os === 'string' && typeof platform.architecture === 'string') {
    result.platform = {
      os: platform.os,
      architecture: platform.architecture,
      ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}),
    }
  }
  if (isObject(annotations)) {
    result.annotations = Object.fromEntries(
      Object.entries(annotations).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    )
  }
  return result
}

export interface ImageManifest {
  readonly mediaType: string
  readonly config: Descriptor
  readonly layers: readonly Descriptor[]
  /** The document as sent, to keep its other fields (annotations) in the new manifest. */
  readonly json: Json
}

/** A single-platform manifest, OCI or Docker's; the media type comes from the registry's Content-Type or the body. */
export function parseManifest(bytes: Uint8Array, declaredType: string | undefined, what: string): ImageManifest {
  const json = parseDocument(bytes, what)
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : declaredType
  if (!mediaType || !MANIFEST_TYPES.includes(mediaType)) {
    throw new DocumentError(`${what} is not an image manifest (${String(mediaType).slice(0, 80)})`)
  }
  if (!Array.isArray(json.layers)) throw new DocumentError(`${what} has no layers`)
  return {
    mediaType,
    config: descriptor(json.config, `${what}'s config`),
    layers: json.layers.map((layer, i) => descriptor(layer, `${what}'s layer ${i + 1}`)),
    json,
  }
}

export interface ImageIndex {
  readonly mediaType: string
  readonly manifests: readonly Descriptor[]
  readonly json: Json
}

export function parseIndex(bytes: Uint8Array, declaredType: string | undefined, what: string): ImageIndex {
  const json = parseDocument(bytes, what)
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : declaredType
  if (!mediaType || !INDEX_TYPES.includes(mediaType)) throw new DocumentError(`${what} is not an index`)
  if (!Array.isArray(json.manifests)) throw new DocumentError(`${what} has no manifests`)
  return {
    mediaType,
    manifests: json.manifests.map((entry, i) => descriptor(entry, `${what}'s entry ${i + 1}`)),
    json,
  }
}

export const platformName = (platform: Platform): string =>
  [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')

/** BuildKit's attestation entries (`unknown/unknown`, `vnd.docker.reference.type: attestation-manifest`). */
const isAttestation = (entry: Descriptor): boolean =>
  entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
  (entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown')

/** `linux/arm64` matches `linux/arm64/v8` (the default variant), `linux/arm/v7` only itself. */
function matches(wanted: string, platform: Platform): boolean {
  const [os, architecture, variant] = wanted.split('/')
  if (os !== platform.os || architecture !== platform.architecture) return false
  return variant === undefined || variant === (platform.variant ?? (architecture === 'arm64' ? 'v8' : undefined))
}

/**
 * The index entries to build on: image manifests with a platform, attestations left out, and only the platforms
 * asked for (all of them when none were). Throws when an asked-for platform is missing from the base.
 */
export function selectPlatforms(index: ImageIndex, wanted: readonly string[], what: string): Descriptor[] {
  const images = index.manifests.filter(
    (entry) => entry.platform !== undefined && !isAttestation(entry) && MANIFEST_TYPES.includes(entry.mediaType),
  )
  if (wanted.length === 0) {
    if (images.length === 0) throw new DocumentError(`${what} lists no image for any platform`)
    return images
  }
  return wanted.map((platform) => {
    const found = images.find((entry) => entry.platform && matches(platform, entry.platform))
    if (!found) {
      const has = images.map((entry) => (entry.platform ? platformName(entry.platform) : '?')).join(', ')
      throw new DocumentError(`${what} has no ${platform} image (it has ${has || 'none'})`)
    }
    return found
  })
}

/** The layer this run adds, as written: the gzip blob's digest and size, the tar's digest (its diff_id). */
export interface AddedLayer {
  readonly digest: string
  readonly size: number
  readonly diffId: string
}

/** The layer media type of the base's family (ko's rule: OCI bases get OCI layers, Docker bases Docker's). */
export const layerType = (manifestType: string): string =>
  manifestType === MEDIA.dockerManifest ? MEDIA.dockerLayer : MEDIA.ociLayer

/** Docker's ENV rule: a name already set is replaced in place, a new one appended. */
function setEnv(env: readonly string[], values: Readonly<Record<string, string>>): string[] {
  const result = [...env]
  for (const [name, value] of Object.entries(values)) {
    const at = result.findIndex((line) => line.split('=')[0] === name)
    if (at === -1) result.push(`${name}=${value}`)
    else result[at] = `${name}=${value}`
  }
  return result
}

/**
 * The base's config with the spec's edits, as BuildKit makes them from the spec's Dockerfile: ENV set, USER,
 * WORKDIR, ENTRYPOINT (the base's CMD dropped: `CMD []` leaves none), LABELs merged; `created` from the commit, one
 * history entry, the layer's diff_id appended. Every other field of the base (ExposedPorts, StopSignal, …) is kept.
 */
export function editConfig(base: Json, spec: ImageSpec, layer: AddedLayer, createdBy: string): Json {
  const config: Json = isObject(base.config) ? { ...base.config } : {}
  const env = Array.isArray(config.Env) ? config.Env.filter((line): line is string => typeof line === 'string') : []
  config.Env = setEnv(env, spec.env)
  if (spec.workdir) config.WorkingDir = spec.workdir
  if (spec.user) config.User = spec.user
  if (spec.entrypoint) {
    config.Entrypoint = [...spec.entrypoint]
    delete config.Cmd
  }
  const labels = isObject(config.Labels) ? config.Labels : {}
  config.Labels = { ...labels, ...spec.labels }
  const rootfs = isObject(base.rootfs) ? base.rootfs : {}
  const diffIds: unknown[] = Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : []
  const history: unknown[] = Array.isArray(base.history) ? base.history : []
  const created = createdTime(spec)
  return {
    ...base,
    created,
    config,
    rootfs: { type: 'layers', diff_ids: [...diffIds, layer.diffId] },
    history: [...history, { created, created_by: createdBy, comment: 'migration-image' }],
  }
}

/** The new manifest: the base's with the new config and the added layer last (its other fields kept). */
export function editManifest(base: ImageManifest, config: Descriptor, layer: AddedLayer): Json {
  const json: Json = { ...base.json, mediaType: base.mediaType }
  // A `subject` would say this image refers to another (a signature, an SBOM): it does not.
  delete json.subject
  return {
    ...json,
    schemaVersion: 2,
    mediaType: base.mediaType,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: [
      ...base.layers.map(stripped),
      { mediaType: layerType(base.mediaType), digest: layer.digest, size: layer.size },
    ],
  }
}

/** A descriptor as written into a document: the fields we checked, and the base's annotations. */
const stripped = (entry: Descriptor): Json => ({
  mediaType: entry.mediaType,
  digest: entry.digest,
  size: entry.size,
  ...(entry.annotations && Object.keys(entry.annotations).length > 0 ? { annotations: entry.annotations } : {}),
})

/** One index over the per-platform manifests, in the base index's family. */
export function newIndex(indexType: string, manifests: readonly Descriptor[]): Json {
  return {
    schemaVersion: 2,
    mediaType: indexType,
    manifests: manifests.map((entry) => ({
      mediaType: entry.mediaType,
      digest: entry.digest,
      size: entry.size,
      ...(entry.platform ? { platform: entry.platform } : {}),
    })),
  }
}

/** A document's bytes, as pushed (and hashed): compact JSON, in the order the fields were set. */
export const documentBytes = (json: Json): Buffer => Buffer.from(JSON.stringify(json), 'utf8')

/** The config's media type for a manifest's family. */
export const configType = (manifestType: string): string =>
  manifestType === MEDIA.dockerManifest ? MEDIA.dockerConfig : MEDIA.ociConfig

/** The config fields the engines must agree on (the equivalence test compares them). */
export function configFacts(config: Json): {
  env: string[]
  user: string
  entrypoint: string[] | null
  cmd: string[] | null
  workdir: string
  labels: Record<string, string>
} {
  const c = isObject(config.config) ? config.config : {}
  const strings = (value: unknown): string[] | null =>
    Array.isArray(value) && value.length > 0 ? value.map(String) : null
  return {
    env: Array.isArray(c.Env) ? c.Env.map(String) : [],
    user: typeof c.User === 'string' ? c.User : '',
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
    workdir: typeof c.WorkingDir === 'string' ? c.WorkingDir : '',
    labels: isObject(c.Labels) ? Object.fromEntries(Object.entries(c.Labels).map(([k, v]) => [k, String(v)])) : {},
  }
}
