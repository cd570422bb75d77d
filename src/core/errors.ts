import { nameOptions, type OptionNames } from './option-names.js'

/**
 * Typed errors. Every error names the path it is about (and the line, where one exists) and says how to fix it,
 * so an adapter can print it on one line or turn it into an annotation without parsing the message.
 */

export interface Located {
  /** Path as the user wrote it (relative to the working directory when it came from an input). */
  readonly file?: string
  /** 1-based line number, where one exists. */
  readonly line?: number
  /** What to do about it, one sentence. */
  readonly fix?: string
}

/** Base of every error this project raises on purpose; anything else is a bug and may show a stack. */
export class MigrationImageError extends Error implements Located {
  readonly file?: string
  readonly line?: number
  readonly fix?: string

  constructor(message: string, where: Located = {}) {
    super(message)
    this.name = new.target.name
    this.file = where.file
    this.line = where.line
    this.fix = where.fix
  }
}

/** The command line or the action inputs are wrong (CLI exit code 2). */
export class UsageError extends MigrationImageError {}

/** The migrations directory cannot be read as one (missing, a file, unreadable, a bad entry). */
export class DirectoryError extends MigrationImageError {}

/** Renders `file:line: message — fix` on one line, the fix's options named as this adapter's user sets them. */
export function formatLocated(message: string, where: Located, names?: OptionNames): string {
  const at = where.file === undefined ? '' : `${where.file}${where.line === undefined ? '' : `:${where.line}`}: `
  const fix = where.fix === undefined ? '' : ` — ${names ? nameOptions(where.fix, names) : where.fix}`
  return `${at}${message}${fix}`
}

/** Node's errno errors carry a code; this reads it without `any`. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined
  }
  return undefined
}

/** A push that failed for some tags: `pushed` names the references that did reach the registry. */
export class PushError extends MigrationImageError {
  constructor(
    message: string,
    readonly pushed: string[],
    where: { fix?: string } = {},
  ) {
    super(message, where)
  }
}
