import { sortByUtf8 } from '../byte-order.js'
import type { MigrationFormat, MigrationName } from './format.js'

const NAME = /^(\d+)_(.+)\.up\.sql$/s

/**
 * The psql runner's layout (Encore's): top-level `<version>_<name>.up.sql` files applied in numeric version order;
 * `.down.sql` files may sit beside them but are neither hashed nor shipped. atlas.sum covers the `.up.sql` files in
 * byte order, as Atlas's golang-migrate format does.
 */
export const psqlFormat: MigrationFormat = {
  name: 'psql',
  recursive: false,
  select(names) {
    return sortByUtf8(
      names.filter((name) => !name.includes('/') && name.endsWith('.up.sql')),
      (name) => name,
    )
  },
  parseName(name): MigrationName | undefined {
    const match = NAME.exec(name)
    return match ? { version: match[1], description: match[2] } : undefined
  },
  compareVersions: (a, b) => {
    const x = BigInt(a)
    const y = BigInt(b)
    return x < y ? -1 : x > y ? 1 : 0
  },
  nameRule: '<version>_<name>.up.sql',
  nameExample: '1_create_users.up.sql',
}
