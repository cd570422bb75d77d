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
  const running = { hash: createHash('sha256') }
  const buffer = Buffer.allocUnsafe(CHUNK)
  const entries: SumEntry[] = []
  const files: HashedFile[] = []
  for (const name of names) {
    running.hash.update(name, 'utf8')
    const file = options.unread?.has(name)
      ? { name, size: 0, ignored: false, crlf: false, bom: false, binary: false, unread: true }
      : hashFile(dir, name, running, buffer, limit)
    files.push(file)
    if (!file.ignored) entries.push({ name, hash: running.hash.copy().digest('base64') })
  }
  return { entries, files }
}

/**
 * The first line of a file whose first line is longer than a chunk, scanned as it streams past (never held whole):
 * `atlas:sum ignore` can only match a line of printable ASCII ending in `atlas:sum +ignore` (see directive.ts), so
 * the scan keeps whether every byte so far is printable and the line's tail with runs of spaces collapsed, which
 * the directive's match does not depend on.
 */
class LongFirstLine {
  private printable = true
  private tail = ''

  /** Feeds a chunk; true once the line has ended in it. */
  feed(chunk: Buffer): boolean {
    const end = chunk.indexOf(LF)
    const part = end === -1 ? chunk : chunk.subarray(0, end)
    if (this.printable) {
      const text = part.toString('latin1')
      if (/[^ -~]/.test(text)) {
        this.printable = false
        this.tail = ''
      } else {
        this.tail = `${this.tail}${text}`.replace(/ {2,}/g, ' ').slice(-4096)
      }
    }
    return end !== -1
  }

  get ignored(): boolean {
    return this.printable && isSumIgnored(this.tail)
  }
}

/** One file, opened without following a link, checked regular on the handle, streamed with the size cap. */
function hashFile(dir: string, name: string, running: { hash: Hash }, buffer: Buffer, limit: number): HashedFile {
  const filePath = path.join(dir, name)
  const { fd, size: statSize } = openRegular(filePath, limit, dir)
  const ignored = (): HashedFile => ({ name, size: statSize, ignored: true, crlf: false, bom: false, binary: false })
  try {
    let chunk = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, null))
    const lineEnd = chunk.indexOf(LF)
    // The directive is read from the first line. When it is longer than a chunk (rare), the bytes are hashed as they
    // stream and the hash before them is kept, so an ignored file can be taken back out.
    let longLine: LongFirstLine | undefined
    let before: Hash | undefined
    if (lineEnd !== -1 || chunk.length < buffer.length) {
      if (isSumIgnored(chunk.toString('latin1', 0, lineEnd === -1 ? chunk.length : lineEnd))) return ignored()
    } else {
      longLine = new LongFirstLine()
      before = running.hash.copy()
    }
    const bom = chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf
    let size = 0
    let crlf = false
    let binary = false
    let previous = 0
    while (chunk.length > 0) {
      size += chunk.length
      if (size > limit) throw tooLarge(filePath, limit) // grew past the limit while being read
      running.hash.update(chunk)
      if (longLine?.feed(chunk)) {
        if (longLine.ignored) {
          running.hash = before!
          return ignored()
        }
        longLine = undefined
        before = undefined
      }
      if (!crlf) crlf = (previous === CR && chunk[0] === LF) || chunk.includes('\r\n')
      if (!binary) binary = chunk.includes(0)
      previous = chunk[chunk.length - 1]
      // A short read of a regular file that reached its size is its end: no extra read per file to see 0 bytes.
      if (chunk.length < buffer.length && size >= statSize) break
      chunk = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, null))
    }
    if (longLine?.ignored) {
      running.hash = before!
      return ignored()
    }
    return { name, size, ignored: false, crlf, bom, binary }
  } catch (error) {
    throw readError(filePath, error)
  } finally {
    closeSync(fd)
  }
}
