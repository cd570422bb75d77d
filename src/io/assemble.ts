import { createHash } from 'node:crypto'
import { MigrationImageError, PushError } from '../core/errors.js'
import {
  configType,
  documentBytes,
  editConfig,
  editManifest,
  INDEX_TYPES,
  newIndex,
  parseDocument,
  parseIndex,
  parseManifest,
  platformName,
  selectPlatforms,
  DocumentError,
  type AddedLayer,
  type Descriptor,
  type ImageManifest,
  type Platform,
} from '../core/image/oci.js'
import type { ImageSpec } from '../core/image/spec.js'
import {
  digestOf,
  RegistryClient,
  RegistryError,
  splitReference,
  TransientError,
  type Credentials,
  type RetryPolicy,
  DEFAULT_RETRY,
} from './registry.js'

// The registry engine: the image assembled from the base's documents and one new layer, without a daemon, a
// builder or the base's layers ever unpacked (ko's and Jib's way). Reads the base's manifest or index and configs,
// writes one manifest per platform (and an index), and copies blobs registry to registry.

/** The base image as its registry has it, one entry per platform built on. */
export interface BaseImage {
  readonly reference: string
  readonly client: RegistryClient
  /** The base's index type, when it is one (the new image is an index of the same family). */
  readonly indexType?: string
  readonly images: readonly {
    readonly manifest: ImageManifest
    readonly config: Record<string, unknown>
    readonly platform?: Platform
  }[]
}

/** One platform's new image: its manifest and config bytes, and every blob it needs. */
export interface PlatformImage {
  readonly platform?: Platform
  readonly manifest: { readonly bytes: Buffer; readonly mediaType: string; readonly digest: string }
  readonly config: { readonly bytes: Buffer; readonly digest: string }
  /** The base's layers (copied or mounted from the base's repository). */
  readonly baseLayers: readonly Descriptor[]
}

export interface AssembledImage {
  readonly platforms: readonly PlatformImage[]
  /** What the tags point at: the one manifest, or the index over them. */
  readonly top: { readonly bytes: Buffer; readonly mediaType: string; readonly digest: string }
  readonly layer: AddedLayer & { readonly bytes: Buffer }
  readonly base: BaseImage
}

const documentError = (registry: string, step: string, error: unknown): Error =>
  error instanceof DocumentError ? new RegistryError(registry, step, 200, error.message) : (error as Error)

/**
 * The base's documents: the manifest or index the reference names (its digest checked when pinned), the image
 * manifests for the platforms asked for (attestations skipped), and each one's config.
 */
export async function readBase(
  reference: string,
  platforms: readonly string[],
  credentials: Credentials | undefined,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<BaseImage> {
  const ref = splitReference(reference)
  const client = new RegistryClient(ref.registry, ref.repository, credentials, { retry })
  const what = `base image ${reference}`
  const top = await client.manifest(ref.digest ?? ref.tag ?? 'latest')
  if (!top) {
    throw new RegistryError(
      ref.registry,
      `GET manifest ${ref.repository}:${ref.digest ?? ref.tag}`,
      404,
      `${what} is not there`,
    )
  }
  const step = `read ${what}`
  try {
    let entries: { digest?: string; platform?: Platform }[]
    let indexType: string | undefined
    if (INDEX_TYPES.includes(top.mediaType)) {
      const index = parseIndex(top.bytes, top.mediaType, what)
      indexType = index.mediaType
      entries = selectPlatforms(index, platforms, what)
    } else {
      if (platforms.length > 1) {
        throw new DocumentError(`${what} is a single-platform image: it cannot give ${platforms.join(', ')}`)
      }
      entries = [{}]
    }
    const images = await Promise.all(
      entries.map(async (entry) => {
        const manifestDoc = entry.digest ? await client.manifest(entry.digest) : top
        if (!manifestDoc)
          throw new DocumentError(
            `${what}: the manifest for ${entry.platform ? platformName(entry.platform) : 'its platform'} is missing`,
          )
        const manifest = parseManifest(manifestDoc.bytes, manifestDoc.mediaType, what)
        const config = parseDocument(await client.blobDocument(manifest.config.digest), `${what}'s config`)
        const platform: Platform | undefined =
          entry.platform ??
          (typeof config.os === 'string' && typeof config.architecture === 'string'
            ? {
                os: config.os,
                architecture: config.architecture,
                ...(typeof config.variant === 'string' ? { variant: config.variant } : {}),
              }
            : undefined)
        if (
          !entry.digest &&
          platforms.length === 1 &&
          platform &&
          platformName(platform) !== platforms[0] &&
          `${platformName(platform)}/v8` !== platforms[0]
        ) {
          throw new DocumentError(`${what} is ${platformName(platform)}, not ${platforms[0]}`)
        }
        return { manifest, config, platform }
      }),
    )
    return { reference, client, indexType, images }
  } catch (error) {
    throw documentError(ref.registry, step, error)
  }
}

/** What the history entry says made the layer (as `docker history` shows it). */
const createdBy = (spec: ImageSpec): string =>
  `migration-image: COPY ${spec.migrationsDir}${spec.runner ? ` ${spec.runner.path}` : ''}`

/** The new image's documents for every platform of the base (pure but for the hashing). */
export function assemble(base: BaseImage, spec: ImageSpec, layer: AddedLayer & { bytes: Buffer }): AssembledImage {
  const platforms = base.images.map(({ manifest, config, platform }): PlatformImage => {
    const configBytes = documentBytes(editConfig(config, spec, layer, createdBy(spec)))
    const configDescriptor: Descriptor = {
      mediaType: configType(manifest.mediaType),
      digest: digestOf(configBytes),
      size: configBytes.length,
    }
    const bytes = documentBytes(editManifest(manifest, configDescriptor, layer))
    return {
      platform,
      manifest: { bytes, mediaType: manifest.mediaType, digest: digestOf(bytes) },
      config: { bytes: configBytes, digest: configDescriptor.digest },
      baseLayers: manifest.layers,
    }
  })
  let top: AssembledImage['top']
  if (base.indexType) {
    const bytes = documentBytes(
      newIndex(
        base.indexType,
        platforms.map((image) => ({
          mediaType: image.manifest.mediaType,
          digest: image.manifest.digest,
          size: image.manifest.bytes.length,
          platform: image.platform,
        })),
      ),
    )
    top = { bytes, mediaType: base.indexType, digest: digestOf(bytes) }
  } else {
    top = platforms[0].manifest
  }
  return { platforms, top, layer, base }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++])
    }),
  )
}

/**
 * A blob's stream checked on the way through: its sha256 and length must be the descriptor's, or the stream fails
 * at its end (and the upload with it: the registry never commits a blob that does not match).
 */
function verified(body: ReadableStream<Uint8Array>, digest: string, size: number): ReadableStream<Uint8Array> {
  const hash = createHash('sha256')
  let seen = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.length
        if (seen > size) {
          controller.error(new TransientError(`blob ${digest} is longer than its ${size} bytes`))
          return
        }
        hash.update(chunk)
        controller.enqueue(chunk)
      },
      flush(controller) {
        const got = `sha256:${hash.digest('hex')}`
        if (seen !== size || got !== digest) {
          controller.error(new TransientError(`blob ${digest} arrived as ${seen} bytes hashing to ${got}`))
        }
      },
    }),
  )
}

export interface PushResult {
  readonly digest: string
  /** The tags now pointing at the image. */
  readonly pushed: readonly string[]
  /** Blobs already in the target, mounted from the base's repository, copied; bytes copied. */
  readonly blobs: { present: number; mounted: number; copied: number; bytes: number }
}

/**
 * Pushes an assembled image: every blob (HEAD first; a cross-repository mount when the base is in the same
 * registry; else streamed from the base's registry, verified on the way), the platform manifests by digest, then
 * each tag's PUT. A tag is reported pushed only after its PUT succeeded.
 */
export async function pushImage(
  image: AssembledImage,
  target: RegistryClient,
  tags: readonly string[],
  reference: (tag: string) => string,
): Promise<PushResult> {
  const blobs = { present: 0, mounted: 0, copied: 0, bytes: 0 }
  const base = image.base.client
  const sameRegistry = base.registry === target.registry && target.registry !== 'docker.io'
  const seen = new Set<string>()
  const baseLayers = image.platforms
    .flatMap((platform) => platform.baseLayers)
    .filter((layer) => !seen.has(layer.digest) && seen.add(layer.digest))
  const own: { digest: string; bytes: Buffer }[] = [
    { digest: image.layer.digest, bytes: image.layer.bytes },
    ...image.platforms.map((platform) => platform.config),
  ]
  await pool([...baseLayers.map((layer) => ({ layer })), ...own.map((blob) => ({ blob }))], 4, async (item) => {
    const digest = 'layer' in item ? item.layer.digest : item.blob.digest
    if (await target.hasBlob(digest)) {
      blobs.present++
      return
    }
    if ('blob' in item) {
      const upload = await target.startUpload(digest)
      if (upload.mounted) return
      await target.finishUpload(upload.location, digest, item.blob.bytes, item.blob.bytes.length)
      return
    }
    await copyBlob(base, target, item.layer, sameRegistry, blobs)
  })
  for (const platform of image.base.indexType ? image.platforms : []) {
    await target.putManifest(platform.manifest.digest, platform.manifest.bytes, platform.manifest.mediaType)
  }
  const pushed: string[] = []
  const failed: { tag: string; error: unknown }[] = []
  await Promise.all(
    tags.map(async (tag) => {
      try {
        await target.putManifest(tag, image.top.bytes, image.top.mediaType)
        pushed.push(tag)
      } catch (error) {
        failed.push({ tag, error })
      }
    }),
  )
  if (failed.length > 0) {
    const first = failed[0].error
    const message = first instanceof Error ? first.message : String(first)
    const done = tags.filter((tag) => pushed.includes(tag))
    throw new PushError(
      `${message} (failed: ${failed.map(({ tag }) => tag).join(', ')}; pushed: ${done.join(', ') || 'none'})`,
      done.map(reference),
      { fix: first instanceof MigrationImageError ? first.fix : undefined },
    )
  }
  return { digest: image.top.digest, pushed: [...tags], blobs }
}

/** One base layer into the target: mounted when the registry allows it, else streamed (the whole copy retried). */
async function copyBlob(
  base: RegistryClient,
  target: RegistryClient,
  layer: Descriptor,
  sameRegistry: boolean,
  blobs: PushResult['blobs'],
): Promise<void> {
  let upload = await target.startUpload(layer.digest, sameRegistry ? base.repository : undefined)
  if (upload.mounted) {
    blobs.mounted++
    return
  }
  for (let attempt = 1; ; attempt++) {
    try {
      if (!upload.mounted) {
        const source = await base.blobStream(layer.digest)
        if (source.size !== undefined && source.size !== layer.size) {
          await source.body.cancel()
          throw new TransientError(`the base's registry sent ${source.size} bytes for a ${layer.size}-byte layer`)
        }
        await target.finishUpload(
          upload.location,
          layer.digest,
          verified(source.body, layer.digest, layer.size),
          layer.size,
        )
      }
      blobs.copied++
      blobs.bytes += layer.size
      target.traffic.up += layer.size
      base.traffic.down += layer.size
      return
    } catch (error) {
      const retryable =
        error instanceof TransientError ||
        (error instanceof RegistryError && (error.status === undefined || error.status >= 500 || error.status === 429))
      if (!retryable || attempt >= DEFAULT_RETRY.attempts) {
        throw error instanceof RegistryError
          ? error
          : new RegistryError(
              target.registry,
              `copy layer ${layer.digest.slice(0, 19)} from ${base.registry}`,
              undefined,
              error instanceof Error ? error.message : String(error),
            )
      }
      await new Promise((resolve) => setTimeout(resolve, DEFAULT_RETRY.backoffMs * 2 ** (attempt - 1)))
      // A failed upload session is not reused: a new one starts from zero.
      upload = await target.startUpload(layer.digest)
    }
  }
}
