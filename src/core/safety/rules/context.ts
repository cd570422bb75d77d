import type { Node } from '../ast.js'
import type { SafetyCode } from '../codes.js'
import type { LockMode } from '../locks.js'
import type { SchemaModel } from '../schema.js'
import type { SqlUnit } from '../units.js'

/** What a rule sees of one statement: the statement, the schema before it, and how the tool runs it. */
export interface StatementContext {
  /** The statement's node type (`IndexStmt`) and fields. */
  readonly type: string
  readonly node: Node
  readonly unit: SqlUnit
  /** The schema as the migrations before this statement left it (rules read it; they never change it). */
  readonly model: SchemaModel
  /** The group running now: objects of another group existed before this change. */
  readonly group: string
  /** Whether the tool runs this statement inside a transaction block (its wrapping, and the file's BEGIN). */
  readonly inTransaction: boolean
  /** Why it is (or is not), in the tool's terms. */
  readonly transactionWhy: string
  /** The transaction this statement runs in (a unit, or the part of it between an explicit BEGIN and COMMIT). */
  readonly transaction: string
  /** The PostgreSQL major version the migrations are judged for. */
  readonly postgresVersion: number
}

/** One finding about a statement, before it is placed on its file and line. */
export interface Finding {
  readonly code: SafetyCode
  /** The table (as a message names it) the finding is about. */
  readonly table?: string
  /** The lock the statement takes on it, when that is the point. */
  readonly lock?: LockMode
  readonly message: string
  readonly fix: string
  /** An error whatever the `safety` setting: the tool itself fails on the statement. */
  readonly fails?: boolean
}

export interface SafetyRule {
  readonly code: SafetyCode
  readonly check: (context: StatementContext) => Finding[]
}
