import { chmodSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixTimes, readStaged } from '../src/io/reproducible.js'
import { makeDir } from './helpers/tmp.js'

describe('fixTimes and readStaged (the staged context, for a reproducible image and its content key)', () => {
  const context = (): string => {
    const dir = makeDir({ 'migrations/1.sql': 'create table a;', 'migrations/sub/2.sql': 'b', Dockerfile: 'FROM x\n' })
    chmodSync(path.join(dir, 'migrations/1.sql'), 0o444)
    chmodSync(path.join(dir, 'migrations/sub/2.sql'), 0o644)
    chmodSync(path.join(dir, 'migrations/sub'), 0o555)
    return dir
  }

  it('gives every file and directory the same mtime, read-only ones included, without following links', () => {
    const dir = context()
    const outside = makeDir({ 'target.sql': 'x' })
    symlinkSync(path.join(outside, 'target.sql'), path.join(dir, 'link.sql'))
    fixTimes(dir, 0)
    for (const name of [
      '.',
      'Dockerfile',
      'migrations',
      'migrations/1.sql',
      'migrations/sub',
      'migrations/sub/2.sql',
    ]) {
      expect(lstatSync(path.join(dir, name)).mtimeMs, name).toBe(0)
    }
    expect(lstatSync(path.join(outside, 'target.sql')).mtimeMs).not.toBe(0)
  })

  it('reads the staged files with their modes, the Dockerfile and links left out', () => {
    const dir = context()
    symlinkSync('/etc/passwd', path.join(dir, 'link.sql'))
    mkdirSync(path.join(dir, 'empty'))
    writeFileSync(path.join(dir, 'migrate.sh'), '#!/bin/sh\n', { mode: 0o555 })
    const files = readStaged(dir, path.join(dir, 'Dockerfile')).sort((a, b) => a.name.localeCompare(b.name))
    expect(files.map((file) => [file.name, file.mode.toString(8), Buffer.from(file.bytes).toString()])).toEqual([
      ['migrate.sh', '555', '#!/bin/sh\n'],
      ['migrations/1.sql', '444', 'create table a;'],
      ['migrations/sub/2.sql', '644', 'b'],
    ])
  })
})
