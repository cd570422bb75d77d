import { hasOption, list, names, qualifiedKey, relationKey, shown, str } from '../ast.js'
import { BLOCKS } from '../locks.js'
import type { SafetyRule } from './context.js'

/** CREATE INDEX without CONCURRENTLY holds SHARE on the table for the whole build (docs: CREATE INDEX). */
export const indexWithoutConcurrently: SafetyRule = {
  code: 'safety/index-without-concurrently',
  check: ({ type, node, model, group, unit }) => {
    if (type !== 'IndexStmt' || node.concurrent === true) return []
    const table = relationKey(node.relation)
    if (!model.established(table, group)) return []
    return [
      {
        code: 'safety/index-without-concurrently',
        table: table && shown(table),
        lock: 'SHARE',
        message: `CREATE INDEX on ${table ? shown(table) : 'the table'}, which already exists, takes a SHARE lock for the whole build: it ${BLOCKS.SHARE} until the index is built`,
        fix: `write \`CREATE ${node.unique === true ? 'UNIQUE ' : ''}INDEX CONCURRENTLY\` (reads and writes go on while it builds); ${unit.outsideTransaction}`,
      },
    ]
  },
}

/** DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table (docs: DROP INDEX). */
export const dropIndexWithoutConcurrently: SafetyRule = {
  code: 'safety/drop-index-without-concurrently',
  check: ({ type, node, model, group, unit }) => {
    if (type !== 'DropStmt' || node.removeType !== 'OBJECT_INDEX' || node.concurrent === true) return []
    const dropped = list(node.objects)
      .map((object) => qualifiedKey(names((object as { List?: { items?: unknown } }).List?.items ?? [object])))
      .filter((key) => model.indexEstablished(key, group))
    if (dropped.length === 0) return []
    const table = model.indexes.get(dropped[0] ?? '')?.table
    return [
      {
        code: 'safety/drop-index-without-concurrently',
        table: table && shown(table),
        lock: 'ACCESS EXCLUSIVE',
        message: `DROP INDEX ${dropped.map((key) => shown(key!)).join(', ')} takes an ACCESS EXCLUSIVE lock on ${table ? shown(table) : 'its table'}: it ${BLOCKS['ACCESS EXCLUSIVE']} while it waits and drops`,
        fix: `write \`DROP INDEX CONCURRENTLY\` (one index per statement); ${unit.outsideTransaction}`,
      },
    ]
  },
}

/** REINDEX without CONCURRENTLY: SHARE on the table, ACCESS EXCLUSIVE on each index it rebuilds (docs: REINDEX). */
export const reindexWithoutConcurrently: SafetyRule = {
  code: 'safety/reindex-without-concurrently',
  check: ({ type, node, model, group, unit, postgresVersion }) => {
    if (type !== 'ReindexStmt' || hasOption(node.params, 'concurrently')) return []
    const kind = str(node.kind)
    const target =
      kind === 'REINDEX_OBJECT_TABLE'
        ? relationKey(node.relation)
        : kind === 'REINDEX_OBJECT_INDEX'
          ? model.indexes.get(relationKey(node.relation) ?? '')?.table
          : undefined
    if (kind === 'REINDEX_OBJECT_TABLE' && !model.established(target, group)) return []
    if (kind === 'REINDEX_OBJECT_INDEX' && !model.indexEstablished(relationKey(node.relation), group)) return []
    const what = target
      ? shown(target)
      : kind === 'REINDEX_OBJECT_INDEX'
        ? "the index's table"
        : 'every table it covers'
    return [
      {
        code: 'safety/reindex-without-concurrently',
        table: target && shown(target),
        lock: 'SHARE',
        message: `REINDEX takes a SHARE lock on ${what} (${BLOCKS.SHARE}) and an ACCESS EXCLUSIVE lock on each index it rebuilds (queries that would use it wait) until it is done`,
        fix:
          postgresVersion >= 12
            ? `write \`REINDEX (CONCURRENTLY) …\` (PostgreSQL 12+); ${unit.outsideTransaction}`
            : 'PostgreSQL before 12 has no `REINDEX CONCURRENTLY`: build a new index with `CREATE INDEX CONCURRENTLY`, then `DROP INDEX CONCURRENTLY` the old one',
      },
    ]
  },
}
