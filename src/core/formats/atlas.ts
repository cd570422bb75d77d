import { sortByUtf8 } from '../byte-order.js'
import type { MigrationFormat, MigrationName } from './format.js'

const NAME = /^(\d+)_(.+)\.sql$/s

/**
 * Atlas's own layout: top-level `*.sql` files (case-sensitive suffix, dotfiles included), ordered by name bytes.
 * The version is what precedes the first underscore.
 */
export const atlasFormat: MigrationFormat = {
  name: 'atlas',
  recursive: false,
  select(names) {
    return sortByUtf8(
      names.filter((name) => !name.includes('/') && name.endsWith('.sql')),
      (name) => name,
    )
  },
  parseName(name): MigrationName | undefined {
    const match = NAME.exec(name)
    return match ? { version: match[1], description: match[2] } : undefined
  },
  nameRule: '<version>_<name>.sql',
  nameExample: '20240101120000_create_users.sql',
}
