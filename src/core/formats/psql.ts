import { sortByUtf8 } from '../byte-order.js'
import type { MigrationFormat, MigrationName } from './format.js'
import { compareIntegers, integerKey } from './versions.js'

const NAME = /^(\d+)_(.+)\.up\.sql$/s

/**
 * The psql runner's layout (Encore's): top-level `<version>_<name>.up.sql` files applied in numeric version order;
 * `.down.sql` files may sit beside them but are neither hashed nor shipped. atlas.sum covers the `.up.sql` files in
 * byte order, as Atlas's golang-migrate format does.
 */
export const psqlFormat: MigrationFormat = {
  name: 'psql',
  recursive: false,
  select: (names) =>
    sortByUtf8(
      names.filter((name) => !name.includes('/') && name.endsWith('.up.sql')),
      (name) => name,
    ),
  parseName(name): MigrationName | undefined {
    const match = NAME.exec(name)
    return match ? { version: match[1], description: match[2] } : undefined
  },
  compareVersions: compareIntegers,
  versionKey: integerKey,
  nameRule: '<version>_<name>.up.sql',
  nameExample: '1_create_users.up.sql',
}
