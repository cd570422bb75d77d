import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { globby } from 'globby'
import { DirectoryError, errnoCode } from './errors.js'

export type EntryKind = 'file' | 'symlink' | 'directory' | 'other'

export interface DirEntry {
  /** Slash path relative to the migrations directory. */
  readonly name: string
  readonly kind: EntryKind
}

/** Checks that `dir` is a readable directory; the error names it and says what to do. */
export function assertDirectory(dir: string): void {
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

/** Lists the directory (top level, or recursively skipping hidden directories) without following symlinks. */
export async function listDirectory(dir: string, recursive: boolean): Promise<DirEntry[]> {
  assertDirectory(dir)
  let found
  try {
    found = await globby(recursive ? '**/*' : '*', {
      cwd: dir,
      dot: !recursive,
      deep: recursive ? Infinity : 1,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      expandDirectories: false,
      caseSensitiveMatch: true,
      suppressErrors: false,
    })
  } catch (error) {
    throw unreadable(dir, error)
  }
  const entries = found.map(({ path: name, dirent }): DirEntry => {
    const kind: EntryKind = dirent.isSymbolicLink()
      ? 'symlink'
      : dirent.isDirectory()
        ? 'directory'
        : dirent.isFile()
          ? 'file'
          : 'other'
    return { name, kind }
  })
  if (entries.some(({ name }) => name.includes('\uFFFD'))) assertUtf8Names(dir, recursive)
  return entries
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
        fix: 'check the dir input (paths are relative to the repository root)',
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
