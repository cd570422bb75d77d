import type { MigrationFormat } from './format.js'
import { atlasFormat } from './atlas.js'
import { numberedLines } from './sql-directives.js'

const UP = /^--\s*migrate:up\b/
const DOWN = /^--\s*migrate:down\b/

/** dbmate: `<version>_<name>.sql` with a `-- migrate:up` section (down optional), ordered by name like Atlas. */
export const dbmateFormat: MigrationFormat = {
  ...atlasFormat,
  name: 'dbmate',
  rules({ migrations, read, problem }) {
    const problems = []
    for (const { name } of migrations) {
      const lines = numberedLines(read(name))
      const up = lines.find(({ text }) => UP.test(text))
      const down = lines.find(({ text }) => DOWN.test(text))
      if (!up)
        problems.push(
          problem(
            name,
            'no -- migrate:up section: dbmate would not run anything',
            'put -- migrate:up before the statements',
            1,
          ),
        )
      else if (down && down.line < up.line) {
        problems.push(
          problem(name, '-- migrate:down comes before -- migrate:up', 'put the up section first', down.line),
        )
      }
    }
    return problems
  },
}
