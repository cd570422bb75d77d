import { createHash } from 'node:crypto'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { readBounded } from '../core/check/safe-read.js'
import { contextPath } from '../core/image/dockerfile.js'
import type { AddedLayer } from '../core/image/oci.js'
import { LAYER_MTIME, type ImageSpec, type LayerEntry } from '../core/image/spec.js'

/** The gzip level of every layer this engine writes: the same input and zlib build give the same bytes. */
export const GZIP_LEVEL = 6

/** Files larger than this are not put in a layer: staging copies validated migrations, which are bounded far below. */
const MAX_FILE = 1 << 30

/**
 * The one layer the image adds, reproducibly (Jib's and ko's recipe): the spec's entries in their order (sorted,
 * parents first), each header written from the entry alone — mode, uid/gid, empty user and group names, one fixed
 * mtime — never from the file system; the bytes read from the staged context (no link followed). gzip at a fixed
 * level with header mtime 0. The blob digest is the gzip bytes', the diff_id the tar's.
 */
export async function writeLayer(
  spec: ImageSpec,
  contextDir: string,
  entries: readonly LayerEntry[],
): Promise<AddedLayer & { bytes: Buffer }> {
  const tar = pack()
  const chunks: Buffer[] = []
  const done = new Promise<void>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => chunks.push(Buffer.from(chunk as Uint8Array)))
    tar.on('error', reject)
    tar.on('end', resolve)
  })
  const mtime = new Date(LAYER_MTIME * 1000)
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '')
    const header = { mode: entry.mode, uid: entry.uid, gid: entry.gid, uname: '', gname: '', mtime }
    if (entry.type === 'directory') {
      tar.entry({ ...header, name: `${name}/`, type: 'directory' })
      continue
    }
    const bytes =
      entry.source && 'text' in entry.source
        ? Buffer.from(entry.source.text, 'utf8')
        : readBounded(path.join(contextDir, contextPath(spec, entry.path)), MAX_FILE)
    tar.entry({ ...header, name, type: 'file', size: bytes.length }, Buffer.from(bytes))
  }
  tar.finalize()
  await done
  // The layer is the migrations (bounded, small): the tar is hashed whole, then compressed in one call.
  const tarBytes = Buffer.concat(chunks)
  const bytes = gzipSync(tarBytes, { level: GZIP_LEVEL })
  return {
    bytes,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    diffId: `sha256:${createHash('sha256').update(tarBytes).digest('hex')}`,
  }
}
