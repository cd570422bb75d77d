import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { DirectoryError, errnoCode, UsageError } from '../errors.js'
import { OPTION } from '../option-names.js'

/** Default per-file limit (the max-file-size input, CLI --max-file-size): generous for SQL, fatal for /dev/zero. */
export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024

/**
 * No links, no special files: O_NOFOLLOW refuses a link in the last component (ELOOP), O_NONBLOCK keeps a FIFO from
 * blocking the open (the handle is then refused as not regular). Constants exist on Linux and macOS.
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** The limit as the error states it. */
function formatSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MB`
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${bytes} bytes`
}

export function tooLarge(file: string, limit: number): DirectoryError {
  return new DirectoryError(`is larger than the per-file limit of ${formatSize(limit)}`, {
    file,
    fix: `raise ${OPTION.maxFileSize} if this really is one migration`,
  })
}

/**
 * The real path of each directory a listing was made in, found once: a file opened under it must be there still.
 * Paths above the directory may hold links (a checkout under a linked home); inside it, none is followed.
 */
const realRoots = new Map<string, string>()

function realRoot(root: string): string {
  const key = path.resolve(root)
  let real = realRoots.get(key)
  if (real === undefined) {
    real = realpathSync.native(key)
    realRoots.set(key, real)
  }
  return real
}

/**
 * O_NOFOLLOW guards the last component only: a sub-directory swapped for a link between the listing and the open is
 * followed by the kernel. The handle's own path (/proc/self/fd on Linux, where the runners are) says where the file
 * really is; it must be the listed file under the directory's real path. Where /proc is missing (macOS) the check
 * is skipped: the last component is still never a link.
 */
function assertWhereListed(fd: number, file: string, root: string): void {
  let actual: string
  try {
    actual = readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return
  }
  const expected = path.join(realRoot(root), path.relative(path.resolve(root), path.resolve(file)))
  if (actual !== expected) {
    throw new DirectoryError(
      'is not where it was listed: a directory on its path was replaced by a link while it was read (links are never followed)',
      {
        file,
        fix: 'replace the linked directory with a real one, and let nothing change the directory while it is checked',
      },
    )
  }
}

/**
 * Opens `file` for reading only when it is a regular file reached without a link: open with O_NOFOLLOW (a link is
 * ELOOP, reported as a link), then fstat on the handle (what is read is what was checked). With `root`, the
 * directory it was listed in, the handle must also be that file under it (no link swapped in on the way). Returns the
 * handle and its size; the size must be within `limit`. The caller closes the handle.
 */
export function openRegular(file: string, limit: number, root?: string): { fd: number; size: number } {
  let fd: number
  try {
    // No lstat first: the listing's d_type already said what the entry is, and O_NOFOLLOW makes a link (even one
    // swapped in since) fail with ELOOP, which is reported as a link. fstat on the handle checks what is read.
    fd = openSync(file, READ_FLAGS)
  } catch (error) {
    throw readError(file, error)
  }
  let size: number
  try {
    if (root !== undefined) assertWhereListed(fd, file, root)
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw notRegular(file, false)
    size = stat.size
    if (size > limit) throw tooLarge(file, limit)
  } catch (error) {
    closeSync(fd)
    throw readError(file, error)
  }
  return { fd, size }
}

/** Reads a whole regular file (no link, no special file) of at most `limit` bytes; `root` as in openRegular. */
export function readBounded(file: string, limit: number, root?: string): Buffer {
  const { fd, size } = openRegular(file, limit, root)
  try {
    // One byte more than the size: a file that grows past the limit while being read is caught too.
    const buffer = Buffer.allocUnsafe(Math.min(size, limit) + 1)
    let filled = 0
    for (;;) {
      if (filled === buffer.length) {
        if (filled > limit) throw tooLarge(file, limit)
        break
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, null)
      if (read === 0) break
      filled += read
    }
    if (filled > limit) throw tooLarge(file, limit)
    return buffer.subarray(0, filled)
  } catch (error) {
    throw readError(file, error)
  } finally {
    closeSync(fd)
  }
}

/** readBounded as UTF-8 text. */
export function readTextBounded(file: string, limit: number, root?: string): string {
  const bytes = readBounded(file, limit, root)
  // JavaScript strings stop near 512 MB; well before that, a text read (a tool's rules) is refused by name.
  if (bytes.length > MAX_TEXT) {
    throw new DirectoryError(`is too large to be read as text (over ${formatSize(MAX_TEXT)})`, {
      file,
      fix: 'split it into smaller migrations',
    })
  }
  return bytes.toString('utf8')
}

/** Largest file read as text (rules that read lines: goose, dbmate, Liquibase changelogs). */
const MAX_TEXT = 256 * 1024 * 1024

function notRegular(file: string, link: boolean): DirectoryError {
  return link
    ? new DirectoryError('is a symlink; links are never followed', {
        file,
        fix: 'replace the link with the file itself',
      })
    : new DirectoryError('is not a regular file (a directory, fifo, socket or device)', { file, fix: 'remove it' })
}

/** Errno errors of a read, as a typed error naming the file; typed errors pass through. */
export function readError(file: string, error: unknown): DirectoryError {
  if (error instanceof DirectoryError) return error
  const code = errnoCode(error)
  if (code === 'ENOENT') return new DirectoryError('is a broken symlink or vanished while reading', { file })
  if (code === 'ELOOP') return notRegular(file, true)
  if (code === 'EACCES' || code === 'EPERM') {
    return new DirectoryError('cannot be read (permission denied)', { file, fix: 'make it readable' })
  }
  if (code === 'EISDIR') return new DirectoryError('is a directory, not a file', { file })
  if (code === 'EAGAIN' || code === 'ENXIO') return notRegular(file, false)
  return new DirectoryError(`cannot be read: ${error instanceof Error ? error.message : String(error)}`, { file })
}

/** A size input: bytes, or a number with KB, MB or GB (powers of 1024). `what` names the input in the error. */
export function parseSize(value: string, what: string): number {
  const match = /^(\d{1,15})\s*(KB|MB|GB)?$/i.exec(value.trim())
  const unit = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(match?.[2] ?? '').toUpperCase() as 'KB' | 'MB' | 'GB']
  const bytes = match ? Number(match[1]) * (unit ?? 1) : NaN
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(
      `${what} must be a size in bytes (or with KB, MB, GB), not '${value.replace(/[^ -~]/g, '?')}'`,
      {
        fix: `e.g. ${what} 134217728 or 128MB`,
      },
    )
  }
  return bytes
}

/**
 * Writes `text` to `file` (atlas.sum) only when it is a regular file or absent: never through a link (lstat, then
 * open with O_NOFOLLOW, so a link swapped in between fails too), never into a FIFO or device.
 */
export function writeRegular(file: string, text: string): void {
  try {
    const stat = lstatSync(file)
    if (stat.isSymbolicLink()) throw notRegular(file, true)
    if (!stat.isFile()) throw notRegular(file, false)
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw readError(file, error)
  }
  let fd: number
  try {
    fd = openSync(
      file,
      constants.O_WRONLY |
        constants.O_CREAT |
        constants.O_TRUNC |
        (constants.O_NOFOLLOW ?? 0) |
        (constants.O_NONBLOCK ?? 0),
      0o644,
    )
  } catch (error) {
    throw readError(file, error)
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(file, false)
    writeFileSync(fd, text)
  } finally {
    closeSync(fd)
  }
}
