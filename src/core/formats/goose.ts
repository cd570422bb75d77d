import type { MigrationFormat } from './format.js'
import { topLevelEndingIn, versionedName } from './naming.js'
import { numberedLines } from './sql-directives.js'
import { compareIntegers, integerKey } from './versions.js'

const ANNOTATION = /^--\s*\+goose\s+(\w+)/i

/** goose: `<version>_<name>.sql` with `-- +goose Up` (Down optional), hashed whole in byte order, applied numerically. */
export const gooseFormat: MigrationFormat = {
  name: 'goose',
  recursive: false,
  select: topLevelEndingIn('.sql'),
  parseName: versionedName(/^(\d+)_(.+)\.sql$/s),
  compareVersions: compareIntegers,
  versionKey: integerKey,
  rules({ migrations, read, problem }) {
    const problems = []
    for (const { name } of migrations) {
      let up = false
      let open: number | undefined
      for (const { line, text } of numberedLines(read(name))) {
        const annotation = ANNOTATION.exec(text)?.[1]?.toLowerCase()
        if (annotation === 'up') up = true
        if (annotation === 'statementbegin') {
          if (open !== undefined)
            problems.push(
              problem(
                name,
                `-- +goose StatementBegin inside the block opened on line ${open}`,
                'close the first block with -- +goose StatementEnd',
                line,
              ),
            )
          open = line
        }
        if (annotation === 'statementend') {
          if (open === undefined)
            problems.push(
              problem(
                name,
                '-- +goose StatementEnd without a StatementBegin',
                'add -- +goose StatementBegin before the statement',
                line,
              ),
            )
          open = undefined
        }
      }
      if (open !== undefined)
        problems.push(
          problem(
            name,
            '-- +goose StatementBegin is never closed',
            'add -- +goose StatementEnd after the statement',
            open,
          ),
        )
      if (!up)
        problems.push(
          problem(
            name,
            'no -- +goose Up annotation: goose would not run anything',
            'start the file with -- +goose Up',
            1,
          ),
        )
    }
    return problems
  },
  nameRule: '<version>_<name>.sql',
  nameExample: '20240101120000_create_users.sql',
}
