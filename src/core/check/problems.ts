import type { Located } from '../errors.js'

export type ProblemCode =
  | 'checksum-not-found'
  | 'checksum-format'
  | 'checksum-mismatch'
  | 'checksum-changed'
  | 'bad-name'
  | 'duplicate-version'
  | 'symlink'
  | 'not-regular'
  | 'binary'
  | 'line-endings'
  | 'tool-rule'
  | 'applied-changed'
  | 'out-of-order'

export type Severity = 'error' | 'warning' | 'notice'

/** One finding about the directory, located on a file (and line) with the fix. */
export interface Problem extends Located {
  readonly code: ProblemCode
  readonly severity: Severity
  readonly message: string
  readonly file: string
}
