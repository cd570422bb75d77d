import { atlasFormat } from './atlas.js'
import type { FormatOptions, MigrationFormat } from './format.js'
import { RULE } from './liquibase-rules.js'
import { changelogTree } from './liquibase-walk.js'

/*
 * Liquibase, as 4.33.0 (the preset's version) loads a changelog tree. Sources, liquibase/liquibase at v4.33.0, under
 * liquibase-standard/src/main/java/liquibase/: changelog/DatabaseChangeLog.java (DCL), parser/ChangeLogParserFactory
 * .java, parser/core/xml/XMLChangeLogSAXParser.java and XMLChangeLogSAXHandler.java, parser/core/yaml/
 * YamlChangeLogParser.java, parser/core/sql/SqlChangeLogParser.java, change/core/SQLFileChange.java,
 * changelog/visitor/ValidatingVisitor.java (VV); formatted SQL in ./liquibase-sql.ts.
 * Files: parse (./liquibase-parse.ts: XML, YAML/JSON, formatted SQL), walk (./liquibase-walk.ts: include, includeAll,
 * sqlFile, properties), the checks on one changeset (./liquibase-walk.ts), the XSD (./liquibase-xsd.ts), limits
 * (./liquibase-limits.ts), rule codes (./liquibase-rules.ts); this file: the master changelog and the format.
 * Verdicts: an error where Liquibase stops (parsing the tree, or validating it before `update` runs anything), a
 * notice where it skips a file with a warning.
 */

const MASTERS = ['changelog.xml', 'changelog.yaml', 'changelog.yml', 'changelog.json', 'changelog.sql'].flatMap(
  (name) => [name, `db.${name.replace('changelog', 'changelog-master')}`],
)

/** The master changelog: the one named, or the first of the usual names that exists. */
export function masterChangelog(names: readonly string[], options: FormatOptions): string | undefined {
  if (options.changelog) return names.includes(options.changelog) ? options.changelog : undefined
  return MASTERS.find((name) => names.includes(name))
}

/**
 * Liquibase: a master changelog and everything it loads. atlas.sum covers the top-level `*.sql` files, as Atlas's
 * liquibase format does; the image gets the whole tree (changelogs, sqlFile targets, properties files).
 * Liquibase files carry no version in their name.
 */
export const liquibaseFormat: MigrationFormat = {
  ...atlasFormat,
  name: 'liquibase',
  ruleCodes: Object.values(RULE),
  recursive: true,
  select: (names) => atlasFormat.select(names),
  parseName: (name) => ({ description: name }),
  // Atlas's own rules (the files it skips) are not Liquibase's: the tree is read from the master changelog.
  rules: undefined,
  // The tree is built once per run: its problems are the rules' verdict, its files what the image ships.
  countUnit: 'changeset',
  async tree(input) {
    const master = masterChangelog(input.names, input.options)
    if (!master) {
      const named = input.options.changelog
      return {
        problems: [
          input.problem(
            RULE.noChangelog,
            named ?? '.',
            named
              ? `the changelog '${named}' is not in the directory`
              : 'no master changelog (changelog.xml, .yaml, .yml, .json or .sql)',
            named ? 'check the changelog input' : 'add one, or name it with the changelog input',
          ),
        ],
        shipped: [],
      }
    }
    const { problems, files, changeSets } = await changelogTree(master, input.names, input.read, input.problem)
    return { problems, shipped: files, count: changeSets }
  },
  nameRule: 'a changelog file',
  nameExample: 'changelog.xml',
}
