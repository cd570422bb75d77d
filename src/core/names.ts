import { UsageError } from './errors.js'
import { showName } from './escape.js'
import { hasControlCharacter } from './text.js'

/**
 * A ref from an input, the event or the command line: never an option (`--upload-pack=…` runs a command), never a
 * line break. `what` names where it came from (base-ref, --base, pull_request.base.sha).
 */
export function assertRef(ref: string, what: string): string {
  if (ref.startsWith('-') || !/^[^\s:?*[\\]+$/.test(ref) || hasControlCharacter(ref) || ref.includes('..')) {
    throw new UsageError(`${what} '${showName(ref)}' is not a branch, tag or commit`, {
      fix: `give ${what} a branch name, tag or commit sha (it cannot start with '-' or hold spaces or control characters)`,
    })
  }
  return ref
}

/** A builder name given by the user (the builder input, --builder): never an option, never a line break. */
export function assertBuilderName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new UsageError(`builder '${showName(name)}' is not a buildx builder name`, {
      fix: 'use the name docker buildx ls shows (letters, digits, _ . -; not starting with -)',
    })
  }
  return name
}
