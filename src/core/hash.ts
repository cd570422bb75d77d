import { createHash, type Hash } from 'node:crypto'
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import path from 'node:path'
import { isSumIgnored } from './directive.js'
import { DirectoryError, errnoCode } from './errors.js'
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
export function hashDirectory(dir: string, names: readonly string[]): HashedDirectory {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(CHUNK)
  const entries: SumEntry[] = []
  const files: HashedFile[] = []
  for (const name of names) {
    hash.update(name, 'utf8')
    const file = hashFile(path.join(dir, name), name, hash, buffer)
    files.push(file)
    if (!file.ignored) entries.push({ name, hash: hash.copy().digest('base64') })
  }
  return { entries, files }
}

function hashFile(filePath: string, name: string, hash: Hash, buffer: Buffer): HashedFile {
  let fd: number
  try {
    fd = openSync(filePath, 'r')
  } catch (error) {
    throw readError(filePath, error)
  }
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
      } while (more > 0 && !buffer.subarray(0, more).includes(LF))
      head = Buffer.concat(parts)
      read = head.length
    }
    const lineEnd = head.indexOf(LF)
    if (isSumIgnored(head.toString('latin1', 0, lineEnd === -1 ? head.length : lineEnd))) {
      return { name, size: fstatSync(fd).size, ignored: true, crlf: false, bom: false, binary: false }
    }
    const bom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf
    let size = 0
    let crlf = false
    let binary = false
    let chunk = head
    let previous = 0
    while (chunk.length > 0) {
      hash.update(chunk)
      size += chunk.length
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

function readError(filePath: string, error: unknown): DirectoryError {
  const code = errnoCode(error)
  if (code === 'ENOENT') return new DirectoryError('is a broken symlink or vanished while reading', { file: filePath })
  if (code === 'EACCES' || code === 'EPERM') {
    return new DirectoryError('cannot be read (permission denied)', { file: filePath, fix: 'make it readable' })
  }
  if (code === 'EISDIR') return new DirectoryError('is a directory, not a file', { file: filePath })
  return new DirectoryError(`cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
    file: filePath,
  })
}
