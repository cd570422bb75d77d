import {
  as,
  columnType,
  list,
  names,
  qualifiedKey,
  relationKey,
  str,
  unwrap,
  type ColumnType,
  type Node,
} from './ast.js'

/*
 * What the migrations so far have made of the database, as far as deploy safety needs it: tables with their columns
 * (type, nullability), constraints (kind, whether validated, a CHECK that proves a column is not null) and indexes.
 * Each object remembers which group created it: the base branch's migrations (or, without a base, each earlier
 * migration) make the objects that exist on a live database; a rule about an existing object fires only for those.
 */

export interface Column {
  readonly type?: ColumnType
  notNull: boolean
  readonly group: string
}

export interface Constraint {
  readonly kind: 'check' | 'foreign' | 'unique' | 'primary' | 'other'
  validated: boolean
  /** A CHECK of the form `col IS NOT NULL`: the column it proves. */
  readonly notNullOf?: string
  readonly group: string
  /** The transaction it was added in (a VALIDATE in that same transaction is no better than validating at once). */
  readonly transaction: string
}

export interface Table {
  readonly key: string
  readonly group: string
  readonly columns: Map<string, Column>
  readonly constraints: Map<string, Constraint>
}

export interface Index {
  readonly key: string
  readonly table?: string
  readonly group: string
}

export class SchemaModel {
  readonly tables = new Map<string, Table>()
  readonly indexes = new Map<string, Index>()
  readonly schemas = new Map<string, string>()

  /**
   * Whether a table existed before the group that is running now. A table the migrations never created (made
   * outside them, or by a statement that could not be read) is taken to exist: it is not new in this change.
   */
  established(key: string | undefined, group: string): boolean {
    if (key === undefined) return true
    const table = this.tables.get(key)
    return table === undefined || table.group !== group
  }

  indexEstablished(key: string | undefined, group: string): boolean {
    if (key === undefined) return true
    const index = this.indexes.get(key)
    if (index === undefined) return true
    return index.group !== group && this.established(index.table, group)
  }

  column(table: string | undefined, name: string | undefined): Column | undefined {
    return table === undefined || name === undefined ? undefined : this.tables.get(table)?.columns.get(name)
  }

  /** Applies one statement's effect (after its rules were checked against the model as it was). */
  apply(statement: Node, group: string, transaction: string): void {
    const [type, node] = unwrap(statement) ?? ['', {}]
    switch (type) {
      case 'CreateStmt':
        this.createTable(node, group, transaction)
        break
      case 'CreateTableAsStmt': {
        const key = relationKey((as(node.into, 'IntoClause') ?? {}).rel)
        if (key) this.tables.set(key, { key, group, columns: new Map(), constraints: new Map() })
        break
      }
      case 'AlterTableStmt':
        this.alterTable(node, group, transaction)
        break
      case 'IndexStmt': {
        const table = relationKey(node.relation)
        const schema = table?.split('.')[0] ?? 'public'
        const name = str(node.idxname)
        if (name) this.indexes.set(`${schema}.${name}`, { key: `${schema}.${name}`, table, group })
        break
      }
      case 'DropStmt':
        this.drop(node)
        break
      case 'RenameStmt':
        this.rename(node)
        break
      case 'CreateSchemaStmt': {
        const name = str(node.schemaname)
        if (name) this.schemas.set(name, group)
        break
      }
    }
  }

  private createTable(node: Node, group: string, transaction: string): void {
    const key = relationKey(node.relation)
    if (!key) return
    const table: Table = { key, group, columns: new Map(), constraints: new Map() }
    for (const element of list(node.tableElts)) {
      const column = as(element, 'ColumnDef')
      if (column) this.addColumn(table, column, group, transaction)
      const constraint = as(element, 'Constraint')
      if (constraint) this.addConstraint(table, constraint, group, transaction)
    }
    this.tables.set(key, table)
  }

  private addColumn(table: Table, column: Node, group: string, transaction: string): void {
    const name = str(column.colname)
    if (!name) return
    const constraints = list(column.constraints).map((item) => as(item, 'Constraint') ?? {})
    const notNull = constraints.some(({ contype }) => contype === 'CONSTR_NOTNULL' || contype === 'CONSTR_PRIMARY')
    table.columns.set(name, { type: columnType(column.typeName), notNull, group })
    for (const constraint of constraints) {
      if (constraint.contype === 'CONSTR_CHECK' || constraint.contype === 'CONSTR_FOREIGN')
        this.addConstraint(table, constraint, group, transaction)
    }
  }

  private addConstraint(table: Table, constraint: Node, group: string, transaction: string): void {
    const kinds: Record<string, Constraint['kind']> = {
      CONSTR_CHECK: 'check',
      CONSTR_FOREIGN: 'foreign',
      CONSTR_UNIQUE: 'unique',
      CONSTR_PRIMARY: 'primary',
    }
    const kind = kinds[str(constraint.contype) ?? ''] ?? 'other'
    const name = str(constraint.conname) ?? `${kind}#${table.constraints.size + 1}`
    table.constraints.set(name, {
      kind,
      validated: constraint.skip_validation !== true,
      notNullOf: kind === 'check' ? notNullColumn(constraint.raw_expr) : undefined,
      group,
      transaction,
    })
    if (kind === 'primary') {
      for (const key of names(constraint.keys)) {
        const column = table.columns.get(key)
        if (column) column.notNull = true
      }
    }
  }

  private alterTable(node: Node, group: string, transaction: string): void {
    const key = relationKey(node.relation)
    if (!key || (str(node.objtype) ?? 'OBJECT_TABLE') !== 'OBJECT_TABLE') return
    let table = this.tables.get(key)
    if (!table) {
      // Unknown until now (made outside the migrations): known from here on, as existing before this change.
      table = { key, group: '(existing)', columns: new Map(), constraints: new Map() }
      this.tables.set(key, table)
    }
    for (const item of list(node.cmds)) {
      const command = as(item, 'AlterTableCmd')
      if (!command) continue
      const name = str(command.name)
      switch (command.subtype) {
        case 'AT_AddColumn': {
          const column = as(command.def, 'ColumnDef')
          if (column) this.addColumn(table, column, group, transaction)
          break
        }
        case 'AT_DropColumn':
          if (name) table.columns.delete(name)
          break
        case 'AT_AlterColumnType': {
          const column = name ? table.columns.get(name) : undefined
          const def = as(command.def, 'ColumnDef')
          if (name && column) table.columns.set(name, { ...column, type: columnType(def?.typeName) })
          break
        }
        case 'AT_SetNotNull': {
          const column = name ? table.columns.get(name) : undefined
          if (column) column.notNull = true
          else if (name) table.columns.set(name, { notNull: true, group: table.group })
          break
        }
        case 'AT_DropNotNull': {
          const column = name ? table.columns.get(name) : undefined
          if (column) column.notNull = false
          break
        }
        case 'AT_AddConstraint': {
          const constraint = as(command.def, 'Constraint')
          if (constraint) this.addConstraint(table, constraint, group, transaction)
          break
        }
        case 'AT_ValidateConstraint': {
          const constraint = name ? table.constraints.get(name) : undefined
          if (constraint) constraint.validated = true
          break
        }
        case 'AT_DropConstraint':
          if (name) table.constraints.delete(name)
          break
      }
    }
  }

  private drop(node: Node): void {
    for (const object of list(node.objects)) {
      const parts = as(object, 'List') ? names(as(object, 'List')!.items) : names([object])
      const key = qualifiedKey(parts)
      if (!key) continue
      if (node.removeType === 'OBJECT_TABLE') this.tables.delete(key)
      if (node.removeType === 'OBJECT_INDEX') this.indexes.delete(key)
    }
  }

  private rename(node: Node): void {
    const key = relationKey(node.relation)
    const newName = str(node.newname)
    if (!key || !newName) return
    if (node.renameType === 'OBJECT_TABLE') {
      const table = this.tables.get(key)
      if (table) {
        const renamed = `${key.split('.')[0]}.${newName}`
        this.tables.delete(key)
        this.tables.set(renamed, { ...table, key: renamed })
      }
    } else if (node.renameType === 'OBJECT_COLUMN') {
      const table = this.tables.get(key)
      const old = str(node.subname)
      const column = old ? table?.columns.get(old) : undefined
      if (table && old && column) {
        table.columns.delete(old)
        table.columns.set(newName, column)
      }
    }
  }
}

/** `CHECK (col IS NOT NULL)`: the column it proves not null. */
function notNullColumn(expression: unknown): string | undefined {
  const test = as(expression, 'NullTest')
  if (!test || test.nulltesttype !== 'IS_NOT_NULL') return undefined
  const fields = names(as(test.arg, 'ColumnRef')?.fields)
  return fields.length === 1 ? fields[0] : undefined
}
