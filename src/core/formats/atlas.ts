import type { MigrationFormat } from './format.js'
import { topLevelEndingIn, versionedName } from './naming.js'

/**
 * Atlas's own layout: top-level `*.sql` files (case-sensitive suffix, dotfiles included), ordered by name bytes.
 * The version is what precedes the first underscore.
 */
export const atlasFormat: MigrationFormat = {
  name: 'atlas',
  recursive: false,
  select: topLevelEndingIn('.sql'),
  parseName: versionedName(/^(\d+)_(.+)\.sql$/s),
  nameRule: '<version>_<name>.sql',
  nameExample: '20240101120000_create_users.sql',
}
