/** Orders names by their raw UTF-8 bytes, as Go's sort.Strings does (Atlas's file order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

export function sortByUtf8<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, bytes: Buffer.from(key(item), 'utf8') }))
    .sort((x, y) => Buffer.compare(x.bytes, y.bytes))
    .map(({ item }) => item)
}
