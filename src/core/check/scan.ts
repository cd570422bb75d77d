import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { DirectoryError, errnoCode } from '../errors.js'
import { OPTION } from '../option-names.js'

export type EntryKind = 'file' | 'symlink' | 'directory' | 'other'

export interface DirEntry {
  /** Slash path relative to the migrations directory. */
  readonly name: string
  readonly kind: EntryKind
}

/** Checks that `dir` is a readable directory; the error names it and says what to do. */
function assertDirectory(dir: string): void {
  let isDirectory: boolean
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch (error) {
    throw unreadable(dir, error)
  }
  if (!isDirectory) {
    throw new DirectoryError('is not a directory', {
      file: dir,
      fix: 'point dir at the folder that holds the migrations',
    })
  }
}

/**
 * Lists the directory (top level with hidden files, or recursively skipping hidden files and directories) without
 * following symlinks: a link is listed as a link, never descended into. One readdir per directory (a 100,000-file
 * directory lists in milliseconds).
 */
export function listDirectory(dir: string, recursive: boolean): Promise<DirEntry[]> {
  assertDirectory(dir)
  const entries: DirEntry[] = []
  const walk = (relative: string): void => {
    let dirents
    try {
      dirents = readdirSync(relative === '' ? dir : path.join(dir, relative), { withFileTypes: true })
    } catch (error) {
      throw unreadable(relative === '' ? dir : path.join(dir, relative), error)
    }
    for (const dirent of dirents) {
      if (recursive && dirent.name.startsWith('.')) continue
      const name = relative === '' ? dirent.name : `${relative}/${dirent.name}`
      const kind: EntryKind = dirent.isSymbolicLink()
        ? 'symlink'
        : dirent.isDirectory()
          ? 'directory'
          : dirent.isFile()
            ? 'file'
            : 'other'
      entries.push({ name, kind })
      if (recursive && kind === 'directory') walk(name)
    }
  }
  walk('')
  if (entries.some(({ name }) => name.includes('\uFFFD'))) assertUtf8Names(dir, recursive)
  return Promise.resolve(entries)
}

/** Node replaces bytes that are not UTF-8 with U+FFFD; Atlas hashes the raw bytes, so such a name cannot be matched. */
function assertUtf8Names(dir: string, recursive: boolean): void {
  const raw = readdirSync(dir, { encoding: 'buffer', recursive })
  for (const name of raw) {
    if (!Buffer.from(name.toString('utf8'), 'utf8').equals(name)) {
      const shown = [...name]
        .map((byte) => (byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16)}`))
        .join('')
      throw new DirectoryError('file name is not valid UTF-8', {
        file: path.join(dir, shown),
        fix: 'rename it with UTF-8 characters only',
      })
    }
  }
}

function unreadable(dir: string, error: unknown): DirectoryError {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return new DirectoryError('does not exist', {
        file: dir,
        fix: `check ${OPTION.dir}`,
      })
    case 'ENOTDIR':
      return new DirectoryError('is not a directory', {
        file: dir,
        fix: 'point dir at the folder that holds the migrations',
      })
    case 'EACCES':
    case 'EPERM':
      return new DirectoryError('cannot be read (permission denied)', {
        file: dir,
        fix: 'make it readable by the user running this',
      })
    default:
      return new DirectoryError(`cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
        file: dir,
      })
  }
}
