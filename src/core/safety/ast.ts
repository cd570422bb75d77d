/*
 * Small readers over libpg-query's parse tree (PostgreSQL's own node names: src/include/nodes/parsenodes.h). Every
 * node is `{ TypeName: { …fields } }`; a field the server leaves at its zero value is absent (protobuf's JSON).
 */

export type Node = Readonly<Record<string, unknown>>

/** The node's type and fields: `{ IndexStmt: {…} }` → `['IndexStmt', {…}]`. */
export function unwrap(node: unknown): [string, Node] | undefined {
  if (!node || typeof node !== 'object') return undefined
  const [type] = Object.keys(node)
  const value = (node as Record<string, unknown>)[type]
  return type && value && typeof value === 'object' ? [type, value as Node] : undefined
}

/** The fields of a node of one type, or undefined when it is another. */
export function as(node: unknown, type: string): Node | undefined {
  const unwrapped = unwrap(node)
  return unwrapped && unwrapped[0] === type ? unwrapped[1] : undefined
}

export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : [])
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/** `String` nodes' values: a qualified name (`['public', 'users']`). */
export function names(value: unknown): string[] {
  return list(value)
    .map((item) => str(as(item, 'String')?.sval))
    .filter((name): name is string => name !== undefined)
}

/** A RangeVar (`schema.table`) as the model keys it: the schema defaults to `public` (the usual search_path). */
export function relationKey(rangeVar: unknown): string | undefined {
  const relation = rangeVar as Node | undefined
  const name = str(relation?.relname)
  if (name === undefined) return undefined
  return `${str(relation?.schemaname) ?? 'public'}.${name}`
}

/** A qualified name list (`DROP INDEX s.i`) as the model keys it. */
export function qualifiedKey(parts: readonly string[]): string | undefined {
  if (parts.length === 0) return undefined
  const name = parts.at(-1)!
  const schema = parts.length > 1 ? parts.at(-2)! : 'public'
  return `${schema}.${name}`
}

/** How a key reads in a message: `users`, or `billing.users` outside public. */
export const shown = (key: string): string => (key.startsWith('public.') ? key.slice('public.'.length) : key)

/** A column's type as the model keeps it: the last name (`int4`, `varchar`) and its modifiers (`(255)`). */
export interface ColumnType {
  readonly name: string
  readonly mods: readonly number[]
  readonly array: boolean
}

export function columnType(typeName: unknown): ColumnType | undefined {
  const type = as({ TypeName: typeName }, 'TypeName')
  if (!type) return undefined
  const parts = names(type.names)
  if (parts.length === 0) return undefined
  const mods = list(type.typmods).map((mod) => {
    const value = as(mod, 'A_Const')?.ival
    return typeof value === 'object' && value !== null ? Number((value as Node).ival ?? 0) : NaN
  })
  return { name: parts.at(-1)!.toLowerCase(), mods, array: list(type.arrayBounds).length > 0 }
}

export const typeText = (type: ColumnType): string =>
  `${type.name}${type.mods.length > 0 ? `(${type.mods.join(',')})` : ''}${type.array ? '[]' : ''}`

/** Walks every node under `root`, depth first (the tree is bounded: the parser's input is). */
export function* descendants(root: unknown): Generator<[string, Node]> {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item)
      continue
    }
    const unwrapped = unwrap(value)
    if (!unwrapped) continue
    yield unwrapped
    for (const field of Object.values(unwrapped[1])) if (field && typeof field === 'object') stack.push(field)
  }
}

/** The `DefElem` options of a statement (`REINDEX (CONCURRENTLY)`, `VACUUM (FULL)`), by name. */
export function hasOption(options: unknown, name: string): boolean {
  return list(options).some((option) => str(as(option, 'DefElem')?.defname) === name)
}
