import { createHash } from 'node:crypto'
import { createWriteStream, rmSync } from 'node:fs'
import { Readable } from 'node:stream'
import type { ReadableStream as WebStream } from 'node:stream/web'
import { pipeline } from 'node:stream/promises'
import { pack } from 'tar-stream'
import { MEDIA, documentBytes, type Descriptor } from '../core/image/oci.js'
import type { AssembledImage } from './assemble.js'
import { TransientError } from './registry.js'

const blobPath = (digest: string): string => `blobs/sha256/${digest.slice('sha256:'.length)}`

/**
 * The image as an OCI image layout in one tar (`oci-layout`, `index.json`, `blobs/sha256/…`), which `docker load`
 * (Engine 25+) and `podman load` read, plus Docker's `manifest.json` for older engines (the first platform). The
 * base's layers are streamed from its registry into the file, each checked against its digest on the way; nothing
 * is unpacked and nothing is held whole in memory.
 */
export async function writeOciArchive(
  image: AssembledImage,
  file: string,
  references: readonly string[],
): Promise<void> {
  const tar = pack()
  // `wx`: never through a link or over an existing file.
  const out = createWriteStream(file, { flags: 'wx', mode: 0o644 })
  let created = false
  out.on('open', () => {
    created = true
  })
  const written = pipeline(tar, out)
  written.catch(() => undefined)
  const mtime = new Date(0)
  const add = (name: string, bytes: Buffer): void => {
    tar.entry({ name, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime, size: bytes.length }, bytes)
  }
  const seen = new Set<string>()
  const once = (digest: string): boolean => !seen.has(digest) && Boolean(seen.add(digest))
  try {
    add('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'))
    // One index entry per tag: containerd and podman name the image from its annotations.
    const tops: Descriptor[] = references.map((reference) => ({
      mediaType: image.top.mediaType,
      digest: image.top.digest,
      size: image.top.bytes.length,
      annotations: {
        'io.containerd.image.name': reference,
        'org.opencontainers.image.ref.name': reference.slice(reference.lastIndexOf(':') + 1),
      },
    }))
    add('index.json', documentBytes({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: tops }))
    const first = image.platforms[0]
    add(
      'manifest.json',
      Buffer.from(
        JSON.stringify([
          {
            Config: blobPath(first.config.digest),
            RepoTags: [...references],
            Layers: [...first.baseLayers.map((layer) => blobPath(layer.digest)), blobPath(image.layer.digest)],
          },
        ]),
      ),
    )
    if (once(image.top.digest)) add(blobPath(image.top.digest), image.top.bytes)
    if (once(image.layer.digest)) add(blobPath(image.layer.digest), image.layer.bytes)
    for (const platform of image.platforms) {
      if (once(platform.manifest.digest)) add(blobPath(platform.manifest.digest), platform.manifest.bytes)
      if (once(platform.config.digest)) add(blobPath(platform.config.digest), platform.config.bytes)
      for (const layer of platform.baseLayers) {
        if (!once(layer.digest)) continue
        const source = await image.base.client.blobStream(layer.digest)
        const hash = createHash('sha256')
        let size = 0
        let entry!: ReturnType<typeof tar.entry>
        const header = { name: blobPath(layer.digest), mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime }
        const finished = new Promise<void>((resolve, reject) => {
          entry = tar.entry({ ...header, size: layer.size }, (error) => (error ? reject(error) : resolve()))
        })
        for await (const chunk of Readable.fromWeb(source.body as WebStream)) {
          const bytes = chunk as Buffer
          size += bytes.length
          if (size > layer.size) throw new TransientError(`layer ${layer.digest} is longer than ${layer.size} bytes`)
          hash.update(bytes)
          if (!entry.write(bytes)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()))
        }
        if (size !== layer.size || `sha256:${hash.digest('hex')}` !== layer.digest) {
          throw new TransientError(`layer ${layer.digest} did not arrive whole from the base's registry`)
        }
        entry.end(Buffer.alloc(0))
        await finished
      }
    }
    tar.finalize()
    await written
  } catch (error) {
    tar.destroy(error as Error)
    await written.catch(() => undefined)
    // Only what this run created (`wx`): a half-written archive is no archive.
    if (created) rmSync(file, { force: true })
    throw error
  }
}
