import { lstatSync, lutimesSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { readBounded } from '../core/check/safe-read.js'
import type { StagedFile } from '../core/image/content-key.js'

/**
 * Every file and directory of a staged context gets the same access and modification time (seconds since 1970).
 * BuildKit's COPY keeps mtimes in the layer, so a context staged at another moment would make another layer digest;
 * with fixed times (and SOURCE_DATE_EPOCH for the config) the same input builds the same image. Links are not
 * followed (lutimes): staging makes none, and nothing outside the context is touched.
 */
export function fixTimes(dir: string, seconds: number): void {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    lutimesSync(path.join(dir, name), seconds, seconds)
  }
  lutimesSync(dir, seconds, seconds)
}

/** Files larger than this are not hashed whole: staging copies validated migrations, which are bounded far below. */
const MAX_FILE = 1 << 30

/**
 * The staged files (regular files only, the Dockerfile left out) with their modes and bytes, for the content key.
 * Read without following links, each checked regular on its handle.
 */
export function readStaged(dir: string, dockerfile: string): StagedFile[] {
  const files: StagedFile[] = []
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, name)
    const stat = lstatSync(file)
    if (file === dockerfile || !stat.isFile()) continue
    // The shared bounded reader: no link, regular on its handle, at most MAX_FILE.
    const bytes = readBounded(file, MAX_FILE)
    files.push({ name: name.split(path.sep).join('/'), mode: stat.mode & 0o7777, bytes })
  }
  return files
}
