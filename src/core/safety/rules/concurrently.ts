import { as, hasOption, list, type Node } from '../ast.js'
import type { SafetyRule } from './context.js'

/**
 * Statements PostgreSQL refuses inside a transaction block ("cannot run inside a transaction block",
 * PreventInTransactionBlock in the server's source; docs of each command), by what a message calls them.
 */
export function nonTransactional(type: string, node: Node, postgresVersion: number): string | undefined {
  switch (type) {
    case 'IndexStmt':
      return node.concurrent === true ? 'CREATE INDEX CONCURRENTLY' : undefined
    case 'DropStmt':
      return node.concurrent === true && node.removeType === 'OBJECT_INDEX' ? 'DROP INDEX CONCURRENTLY' : undefined
    case 'ReindexStmt':
      return hasOption(node.params, 'concurrently') ? 'REINDEX CONCURRENTLY' : undefined
    case 'AlterTableStmt':
      return list(node.cmds).some((cmd) => {
        const command = as(cmd, 'AlterTableCmd')
        return command?.subtype === 'AT_DetachPartition' && as(command.def, 'PartitionCmd')?.concurrent === true
      })
        ? 'ALTER TABLE … DETACH PARTITION CONCURRENTLY'
        : undefined
    case 'VacuumStmt':
      return node.is_vacuumcmd === true ? 'VACUUM' : undefined
    case 'CreatedbStmt':
      return 'CREATE DATABASE'
    case 'DropdbStmt':
      return 'DROP DATABASE'
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM'
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE'
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE'
    case 'AlterEnumStmt':
      // ALTER TYPE … ADD VALUE runs in a transaction block since PostgreSQL 12.
      return postgresVersion < 12 && node.newVal !== undefined
        ? 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)'
        : undefined
    default:
      return undefined
  }
}

/** A statement that cannot run in a transaction block, which this tool runs in one: the migration fails. */
export const concurrentlyInTransaction: SafetyRule = {
  code: 'safety/concurrently-in-transaction',
  check: ({ type, node, inTransaction, transactionWhy, unit, postgresVersion }) => {
    const what = nonTransactional(type, node, postgresVersion)
    if (what === undefined || !inTransaction) return []
    return [
      {
        code: 'safety/concurrently-in-transaction',
        message: `${what} cannot run inside a transaction block, and ${transactionWhy}: the migration fails${
          unit.transaction.kind === 'flyway' && /refuses/.test(transactionWhy)
            ? ''
            : ` ("${what
                .replace(/ …| \(before PostgreSQL 12\)/g, '')
                .split(' ')
                .slice(0, 4)
                .join(' ')} cannot run inside a transaction block")`
        }`,
        fix: unit.outsideTransaction,
        fails: true,
      },
    ]
  },
}
