import { sortByUtf8 } from '../byte-order.js'
import type { MigrationName } from './format.js'

/** Top-level files ending in `suffix`, in byte order: Atlas's hashing order for the single-directory tools. */
export const topLevelEndingIn =
  (suffix: string) =>
  (names: readonly string[]): string[] =>
    sortByUtf8(
      names.filter((name) => !name.includes('/') && name.endsWith(suffix)),
      (name) => name,
    )

/** Reads names whose first group is the version and second the description; undefined when they do not match. */
export const versionedName =
  (pattern: RegExp) =>
  (name: string): MigrationName | undefined => {
    const match = pattern.exec(name)
    return match ? { version: match[1], description: match[2] } : undefined
  }
