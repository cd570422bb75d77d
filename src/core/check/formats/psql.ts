import { toolRules } from '../problems.js'
import type { MigrationFormat, RuleInput } from './format.js'
import { topLevelEndingIn, versionedName } from './naming.js'
import { compareIntegers, integerKey } from './versions.js'

/** The psql runner's rules, each with its stable code (`psql/<rule>`). */
const RULE = toolRules('psql', {
  badName: 'bad-name',
  duplicateVersion: 'duplicate-version',
  ignoredFile: 'ignored-file',
})

/**
 * The psql runner's layout (Encore's, golang-migrate's naming): top-level `<version>_<name>.up.sql` files applied in
 * numeric version order, as golang-migrate reads them (`^([0-9]+)_(.*)\.up\.sql$`, golang-migrate v4.19.1
 * source/parse.go:22), but with the `.sql` extension only. The runner is this project's own: it runs exactly the files
 * listed in `migrations.list` at build time. `.down.sql` files may sit beside them but are neither hashed nor shipped.
 * atlas.sum covers the `.up.sql` files in byte order, as Atlas's golang-migrate format does.
 */
export const psqlFormat: MigrationFormat = {
  name: 'psql',
  ruleCodes: Object.values(RULE),
  recursive: false,
  select: topLevelEndingIn('.up.sql'),
  // `[^\n]`: one migration per line of migrations.list.
  parseName: versionedName(/^([0-9]+)_([^\n]*)\.up\.sql$/),
  compareVersions: compareIntegers,
  versionKey: integerKey,
  // The runner runs migrations.list, which build-time code writes from the counted files: a name it cannot read, or
  // a second file of one version, would make that list ambiguous.
  unreadName: () => ({
    code: RULE.badName,
    severity: 'error',
    message: 'file name does not match <version>_<name>.up.sql',
    fix: 'rename it like 1_create_users.up.sql',
  }),
  duplicateVersion: (_name, twin, version) => ({
    code: RULE.duplicateVersion,
    severity: 'error',
    message: `version ${version} is also used by ${twin}`,
    fix: 'give one of them a new, higher version',
  }),
  rules({ names, problem }: RuleInput) {
    return names
      .filter((name) => !name.includes('/') && name !== 'atlas.sum' && !/\.(up|down)\.sql$/.test(name))
      .map((name) =>
        problem(
          RULE.ignoredFile,
          name,
          'the psql runner does not run this file and it is not shipped (migrations end in .up.sql)',
          'rename it like 1_create_users.up.sql if it should run, or move it out of the directory',
          undefined,
          'notice',
        ),
      )
  },
  nameRule: '<version>_<name>.up.sql',
  nameExample: '1_create_users.up.sql',
}
