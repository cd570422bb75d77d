import { addRequiredColumn } from './columns.js'
import { concurrentlyInTransaction } from './concurrently.js'
import { constraintWithoutNotValid, setNotNull, uniqueWithoutIndex } from './constraints.js'
import type { SafetyRule } from './context.js'
import { dropColumn, dropSchema, dropTable, renameColumn, renameTable } from './destructive.js'
import { dropIndexWithoutConcurrently, indexWithoutConcurrently, reindexWithoutConcurrently } from './indexes.js'
import { tableRewrite } from './rewrite.js'

/** Every statement rule, in the order a statement's findings are listed (no-lock-timeout is judged per migration). */
export const RULES: readonly SafetyRule[] = [
  concurrentlyInTransaction,
  indexWithoutConcurrently,
  dropIndexWithoutConcurrently,
  reindexWithoutConcurrently,
  constraintWithoutNotValid,
  setNotNull,
  uniqueWithoutIndex,
  tableRewrite,
  addRequiredColumn,
  dropTable,
  dropColumn,
  dropSchema,
  renameTable,
  renameColumn,
]
