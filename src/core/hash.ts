import { createHash, type Hash } from 'node:crypto'
import { closeSync, readSync } from 'node:fs'
import path from 'node:path'
import { isSumIgnored } from './directive.js'
import { DEFAULT_MAX_FILE_SIZE, openRegular, readError, tooLarge } from './safe-read.js'
import type { SumEntry } from './sum-file.js'

/** What hashing learned about one counted file, besides its atlas.sum entry. */
export interface HashedFile {
  readonly name: string
  readonly size: number
  /** `atlas:sum ignore`: the name was hashed, the content was not, and there is no entry. */
  readonly ignored: boolean
  readonly crlf: boolean
  readonly bom: boolean
  /** Holds a NUL byte: binary, not SQL. */
  readonly binary: boolean
  /** A link (or special file) that was not read: only its name is in the hash. */
  readonly unread?: boolean
}

export interface HashOptions {
  /** Per-file limit in bytes (default 64 MB); a larger file is an error naming it. */
  readonly maxFileSize?: number
  /** Names that are links or special files: never opened, reported by the caller. */
  readonly unread?: ReadonlySet<string>
}

export interface HashedDirectory {
  readonly entries: SumEntry[]
  readonly files: HashedFile[]
}

const CHUNK = 1 << 20
const LF = 0x0a
const CR = 0x0d

/**
 * Atlas's directory hash: ONE running SHA-256 fed each file's name, then (unless ignored) its bytes, with the
 * digest so far recorded per file. Files are streamed through one reused buffer, so memory stays flat.
 */
export function hashDirectory(dir: string, names: readonly string[], options: HashOptions = {}): HashedDirectory {
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(CHUNK)
  const entries: SumEntry[] = []
  const files: HashedFile[] = []
  for (const name of names) {
    hash.update(name, 'utf8')
    const file = options.unread?.has(name)
      ? { name, size: 0, ignored: false, crlf: false, bom: false, binary: false, unread: true }
      : hashFile(path.join(dir, name), name, hash, buffer, limit)
    files.push(file)
    if (!file.ignored) entries.push({ name, hash: hash.copy().digest('base64') })
  }
  return { entries, files }
}

/** One file, opened without following a link, checked regular on the handle, streamed with the size cap. */
function hashFile(filePath: string, name: string, hash: Hash, buffer: Buffer, limit: number): HashedFile {
  const { fd, size: statSize } = openRegular(filePath, limit)
  try {
    let read = readSync(fd, buffer, 0, buffer.length, null)
    let head = buffer.subarray(0, read)
    // The directive is read from the first line; a first line longer than a chunk is rare, so read on for it.
    if (read === buffer.length && !head.includes(LF)) {
      const parts = [Buffer.from(head)]
      let more: number
      do {
        more = readSync(fd, buffer, 0, buffer.length, null)
        parts.push(Buffer.from(buffer.subarray(0, more)))
        if (parts.reduce((sum, part) => sum + part.length, 0) > limit) throw tooLarge(filePath, limit)
      } while (more > 0 && !buffer.subarray(0, more).includes(LF))
      head = Buffer.concat(parts)
      read = head.length
    }
    const lineEnd = head.indexOf(LF)
    if (isSumIgnored(head.toString('latin1', 0, lineEnd === -1 ? head.length : lineEnd))) {
      return { name, size: statSize, ignored: true, crlf: false, bom: false, binary: false }
    }
    const bom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf
    let size = 0
    let crlf = false
    let binary = false
    let chunk = head
    let previous = 0
    while (chunk.length > 0) {
      size += chunk.length
      if (size > limit) throw tooLarge(filePath, limit) // grew past the limit while being read
      hash.update(chunk)
      if (!crlf) crlf = (previous === CR && chunk[0] === LF) || chunk.includes('\r\n')
      if (!binary) binary = chunk.includes(0)
      previous = chunk[chunk.length - 1]
      chunk = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, null))
    }
    return { name, size, ignored: false, crlf, bom, binary }
  } catch (error) {
    throw readError(filePath, error)
  } finally {
    closeSync(fd)
  }
}
