/**
 * Go's sort.Slice, step for step, so that items the comparison finds equal end up where Go puts them.
 *
 * Atlas orders Flyway files with sort.Slice (ariga/atlas v1.2.3 sql/sqltool/tool.go:556-560), which is not stable:
 * up to 12 items it is an insertion sort (equal items keep their order), beyond that Go's pattern-defeating
 * quicksort moves equal items around (all repeatables compare equal there, so their order in atlas.sum depends on
 * it). This follows Go's src/sort/zsortfunc.go (pdqsort_func and its helpers, Go 1.19 onward) and the xorshift of
 * src/sort/sort.go as current Go releases have it (shifts 13, 7, 17).
 */
export function goSortSlice<T>(items: readonly T[], less: (a: T, b: T) => boolean): T[] {
  const data = [...items]
  const sorter = new GoSorter(data, less)
  sorter.pdqsort(0, data.length, bitLength(data.length))
  return data
}

const bitLength = (n: number): number => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1)
const MASK64 = (1n << 64n) - 1n

const enum Hint {
  Unknown,
  Increasing,
  Decreasing,
}

class GoSorter<T> {
  constructor(
    private readonly data: T[],
    private readonly lessItems: (a: T, b: T) => boolean,
  ) {}

  private less(i: number, j: number): boolean {
    return this.lessItems(this.data[i], this.data[j])
  }

  private swap(i: number, j: number): void {
    const item = this.data[i]
    this.data[i] = this.data[j]
    this.data[j] = item
  }

  insertionSort(a: number, b: number): void {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && this.less(j, j - 1); j--) this.swap(j, j - 1)
    }
  }

  private siftDown(lo: number, hi: number, first: number): void {
    let root = lo
    for (;;) {
      let child = 2 * root + 1
      if (child >= hi) return
      if (child + 1 < hi && this.less(first + child, first + child + 1)) child++
      if (!this.less(first + root, first + child)) return
      this.swap(first + root, first + child)
      root = child
    }
  }

  private heapSort(a: number, b: number): void {
    const first = a
    const hi = b - a
    for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) this.siftDown(i, hi, first)
    for (let i = hi - 1; i >= 0; i--) {
      this.swap(first, first + i)
      this.siftDown(0, i, first)
    }
  }

  pdqsort(a: number, b: number, limit: number): void {
    const maxInsertion = 12
    let wasBalanced = true
    let wasPartitioned = true
    for (;;) {
      const length = b - a
      if (length <= maxInsertion) {
        this.insertionSort(a, b)
        return
      }
      if (limit === 0) {
        this.heapSort(a, b)
        return
      }
      if (!wasBalanced) {
        this.breakPatterns(a, b)
        limit--
      }
      let [pivot, hint] = this.choosePivot(a, b)
      if (hint === Hint.Decreasing) {
        this.reverseRange(a, b)
        pivot = b - 1 - (pivot - a)
        hint = Hint.Increasing
      }
      if (wasBalanced && wasPartitioned && hint === Hint.Increasing && this.partialInsertionSort(a, b)) return
      if (a > 0 && !this.less(a - 1, pivot)) {
        a = this.partitionEqual(a, b, pivot)
        continue
      }
      const [mid, alreadyPartitioned] = this.partition(a, b, pivot)
      wasPartitioned = alreadyPartitioned
      const leftLen = mid - a
      const rightLen = b - mid
      const balanceThreshold = Math.trunc(length / 8)
      if (leftLen < rightLen) {
        wasBalanced = leftLen >= balanceThreshold
        this.pdqsort(a, mid, limit)
        a = mid + 1
      } else {
        wasBalanced = rightLen >= balanceThreshold
        this.pdqsort(mid + 1, b, limit)
        b = mid
      }
    }
  }

  private partition(a: number, b: number, pivot: number): [number, boolean] {
    this.swap(a, pivot)
    let i = a + 1
    let j = b - 1
    while (i <= j && this.less(i, a)) i++
    while (i <= j && !this.less(j, a)) j--
    if (i > j) {
      this.swap(j, a)
      return [j, true]
    }
    this.swap(i, j)
    i++
    j--
    for (;;) {
      while (i <= j && this.less(i, a)) i++
      while (i <= j && !this.less(j, a)) j--
      if (i > j) break
      this.swap(i, j)
      i++
      j--
    }
    this.swap(j, a)
    return [j, false]
  }

  private partitionEqual(a: number, b: number, pivot: number): number {
    this.swap(a, pivot)
    let i = a + 1
    let j = b - 1
    for (;;) {
      while (i <= j && !this.less(a, i)) i++
      while (i <= j && this.less(a, j)) j--
      if (i > j) break
      this.swap(i, j)
      i++
      j--
    }
    return i
  }

  private partialInsertionSort(a: number, b: number): boolean {
    const maxSteps = 5
    const shortestShifting = 50
    let i = a + 1
    for (let step = 0; step < maxSteps; step++) {
      while (i < b && !this.less(i, i - 1)) i++
      if (i === b) return true
      if (b - a < shortestShifting) return false
      this.swap(i, i - 1)
      if (i - a >= 2) {
        for (let j = i - 1; j >= 1; j--) {
          if (!this.less(j, j - 1)) break
          this.swap(j, j - 1)
        }
      }
      if (b - i >= 2) {
        for (let j = i + 1; j < b; j++) {
          if (!this.less(j, j - 1)) break
          this.swap(j, j - 1)
        }
      }
    }
    return false
  }

  private breakPatterns(a: number, b: number): void {
    const length = b - a
    if (length < 8) return
    let random = BigInt(length)
    const modulus = BigInt(2 ** bitLength(length))
    const next = (): bigint => {
      random ^= (random << 13n) & MASK64
      random ^= random >> 7n
      random ^= (random << 17n) & MASK64
      return random
    }
    const middle = a + Math.trunc(length / 4) * 2
    for (let idx = middle - 1; idx <= middle + 1; idx++) {
      let other = Number(next() & (modulus - 1n))
      if (other >= length) other -= length
      this.swap(idx, a + other)
    }
  }

  private choosePivot(a: number, b: number): [number, Hint] {
    const shortestNinther = 50
    const maxSwaps = 4 * 3
    const l = b - a
    const swaps = { count: 0 }
    let i = a + Math.trunc(l / 4) * 1
    let j = a + Math.trunc(l / 4) * 2
    let k = a + Math.trunc(l / 4) * 3
    if (l >= 8) {
      if (l >= shortestNinther) {
        i = this.median(i - 1, i, i + 1, swaps)
        j = this.median(j - 1, j, j + 1, swaps)
        k = this.median(k - 1, k, k + 1, swaps)
      }
      j = this.median(i, j, k, swaps)
    }
    if (swaps.count === 0) return [j, Hint.Increasing]
    if (swaps.count === maxSwaps) return [j, Hint.Decreasing]
    return [j, Hint.Unknown]
  }

  private order2(a: number, b: number, swaps: { count: number }): [number, number] {
    if (this.less(b, a)) {
      swaps.count++
      return [b, a]
    }
    return [a, b]
  }

  private median(a: number, b: number, c: number, swaps: { count: number }): number {
    ;[a, b] = this.order2(a, b, swaps)
    ;[b, c] = this.order2(b, c, swaps)
    ;[a, b] = this.order2(a, b, swaps)
    return b
  }

  private reverseRange(a: number, b: number): void {
    for (let i = a, j = b - 1; i < j; i++, j--) this.swap(i, j)
  }
}
