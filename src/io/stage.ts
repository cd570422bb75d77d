import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import { contextMigrations, contextPath, renderSpec } from '../core/image/dockerfile.js'
import { DirectoryError } from '../core/errors.js'
import { layerEntries, type ImageSpec, type LayerEntry } from '../core/image/spec.js'
import { openRegular } from '../core/check/safe-read.js'
import { SUM_FILE } from '../core/check/sum-file.js'
import { hasControlCharacter } from '../core/text.js'
import type { Validation } from '../core/check/validate.js'

export interface StagedContext {
  readonly dir: string
  readonly dockerfile: string
  /** The staged migrations directory (read-only, as the image gets it). */
  readonly migrations: string
  /** Slash paths inside the image's migrations directory. */
  readonly files: string[]
  /** The layer the image adds, entry by entry (src/core/image/spec.ts): what was staged, with its modes. */
  readonly entries: LayerEntry[]
}

/**
 * A build context holding only what the image needs: the counted migration files, atlas.sum, the runner (psql)
 * and the Dockerfile. Nothing else from the repository can leak in. Every entry gets the mode the spec's layer
 * gives it (files 0444, dirs 0555): the legacy builder and BuildKit both keep context modes, so the image gets them
 * without `COPY --chmod`, and the registry engine writes the same entries from the same list.
 */
export function stageContext(parent: string, validation: Validation, spec: ImageSpec): StagedContext {
  const dir = mkdtempSync(path.join(parent, 'migration-image-context-'))
  const target = path.join(dir, contextMigrations(spec.migrationsDir))
  mkdirSync(target, { recursive: true })
  const files: string[] = []
  let entries: LayerEntry[] = []
  const stage = (name: string): void => {
    const source = path.join(validation.dir, name)
    if (hasControlCharacter(name)) {
      throw new DirectoryError('has a control character in its name', { file: source, fix: 'rename it' })
    }
    mkdirSync(path.dirname(path.join(target, name)), { recursive: true })
    // Opened without following a link and checked regular on the handle (a link swapped in after validation fails).
    copyRegular(source, path.join(target, name), validation.dir)
    files.push(name)
  }
  const dockerfilePath = path.join(dir, 'Dockerfile')
  try {
    for (const migration of validation.migrations) stage(migration.name)
    for (const name of validation.shipped) if (!files.includes(name)) stage(name)
    if (existsSync(validation.sumPath)) stage(SUM_FILE)
    if (spec.runner) {
      const list = validation.migrations.map(({ version, name }) => `${version} ${name}\n`).join('')
      writeFileSync(path.join(target, 'migrations.list'), list)
      files.push('migrations.list')
    }
    entries = layerEntries(spec, files)
    // The directories above are the base's (COPY makes them when it has none): not part of the context.
    const staged = entries.filter((entry) => !entry.above)
    for (const entry of staged) {
      const at = path.join(dir, contextPath(spec, entry.path))
      if (entry.source && 'text' in entry.source) writeFileSync(at, entry.source.text)
      else if (entry.type === 'directory') mkdirSync(at, { recursive: true })
    }
    // Files first, then directories from the deepest up (a read-only directory still lets its children be chmod'ed).
    for (const entry of [...staged].reverse()) chmodSync(path.join(dir, contextPath(spec, entry.path)), entry.mode)
    writeFileSync(dockerfilePath, renderSpec(spec))
  } catch (error) {
    // A context that cannot be staged is removed at once: no temporary directory outlives a failure.
    removeContext({ dir, migrations: target, files })
    throw error
  }
  return { dir, dockerfile: dockerfilePath, migrations: target, files: files.sort(), entries }
}

function copyRegular(source: string, destination: string, root: string): void {
  const { fd } = openRegular(source, Number.MAX_SAFE_INTEGER, root)
  let out: number
  try {
    out = openSync(destination, 'wx', 0o644)
  } catch (error) {
    closeSync(fd)
    throw error
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) writeSync(out, buffer, 0, read)
  } finally {
    closeSync(fd)
    closeSync(out)
  }
}

/** Removes a staged context (its directories are read-only, so make them writable first). */
export function removeContext(context: Pick<StagedContext, 'dir' | 'migrations' | 'files'>): void {
  const { migrations } = context
  const dirs = new Set([migrations])
  for (const name of context.files) {
    const parts = name.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(path.join(migrations, ...parts.slice(0, i)))
  }
  for (const dir of dirs) if (existsSync(dir)) chmodSync(dir, 0o755)
  rmSync(context.dir, { recursive: true, force: true })
}
