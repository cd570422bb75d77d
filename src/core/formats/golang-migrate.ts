import { sortByUtf8 } from '../byte-order.js'
import type { MigrationFormat, MigrationName } from './format.js'
import { topLevelEndingIn } from './naming.js'
import { compareIntegers, integerKey } from './versions.js'

const FILE = /^(\d+)_(.*)\.(up|down)\.([^./]+)$/s
const topLevel = (name: string): boolean => !name.includes('/')

/**
 * golang-migrate: `<version>_<title>.up.<ext>` with an optional `.down.<ext>`. Atlas's golang-migrate format hashes
 * only the top-level `*.up.sql` files (names kept), in byte order; the tool applies them in numeric order. Down
 * files are shipped too (`migrate down` needs them).
 */
export const golangMigrateFormat: MigrationFormat = {
  name: 'golang-migrate',
  recursive: false,
  select: topLevelEndingIn('.up.sql'),
  parseName(name): MigrationName | undefined {
    const match = FILE.exec(name)
    return match && match[3] === 'up' ? { version: match[1], description: match[2] } : undefined
  },
  compareVersions: compareIntegers,
  versionKey: integerKey,
  rules({ names, problem }) {
    const problems = []
    const ups = new Map<string, string>()
    const downs = new Map<string, string>()
    for (const name of sortByUtf8(names.filter(topLevel), (n) => n)) {
      const match = FILE.exec(name)
      if (!match) {
        if (name.endsWith('.sql')) {
          problems.push(
            problem(
              name,
              'file name does not match <version>_<title>.up.sql or .down.sql',
              'rename it like 1_create_users.up.sql',
            ),
          )
        }
        continue
      }
      const [, version, , direction] = match
      const seen = direction === 'up' ? ups : downs
      const key = integerKey(version)
      const twin = seen.get(key)
      if (twin !== undefined && direction === 'down') {
        problems.push(
          problem(name, `down version ${version} is also used by ${twin}`, 'give one of them a new version'),
        )
      }
      seen.set(key, name)
    }
    for (const [key, name] of downs) {
      if (!ups.has(key))
        problems.push(
          problem(
            name,
            `down migration without an up migration (version ${key})`,
            `add the .up file or remove ${name}`,
          ),
        )
    }
    for (const [key, name] of ups) {
      if (!downs.has(key)) {
        problems.push(
          problem(
            name,
            `no down migration for version ${key}`,
            `add ${name.replace(/\.up\./, '.down.')} so 'migrate down' can revert it`,
            undefined,
            'warning',
          ),
        )
      }
    }
    return problems
  },
  shipped: (names) => names.filter((name) => topLevel(name) && FILE.exec(name)?.[3] === 'down'),
  nameRule: '<version>_<title>.up.sql',
  nameExample: '1_create_users.up.sql',
}
