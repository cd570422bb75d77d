import type { MigrationFormat } from './format.js'
import { topLevelEndingIn, versionedName } from './naming.js'
import { compareIntegers, integerKey } from './versions.js'

/**
 * The psql runner's layout (Encore's): top-level `<version>_<name>.up.sql` files applied in numeric version order;
 * `.down.sql` files may sit beside them but are neither hashed nor shipped. atlas.sum covers the `.up.sql` files in
 * byte order, as Atlas's golang-migrate format does.
 */
export const psqlFormat: MigrationFormat = {
  name: 'psql',
  recursive: false,
  select: topLevelEndingIn('.up.sql'),
  parseName: versionedName(/^(\d+)_(.+)\.up\.sql$/s),
  compareVersions: compareIntegers,
  versionKey: integerKey,
  nameRule: '<version>_<name>.up.sql',
  nameExample: '1_create_users.up.sql',
}
