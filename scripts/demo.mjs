#!/usr/bin/env node
// `npm start`: the main job on the bundled example — validate, render the Dockerfile, then build the image: with
// Docker when an engine answers, and without it through the registry engine (an OCI archive in the temp dir) when
// none does, saying which it was and what is missing. Set BASE_IMAGE to build on a base image of your own registry
// when the tool's official image cannot be pulled (no Docker Hub access).
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const cli = path.join(root, 'dist', 'cli.js')
const dir = 'examples/atlas/migrations'
const NO_DOCKER = 3 // the CLI's exit code when no Docker engine answers

function step(title, args) {
  console.log(`\n== ${title}: migration-image ${args.join(' ')}`)
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' }).status
}

const base = process.env.BASE_IMAGE ? ['--base-image', process.env.BASE_IMAGE] : []
const noBase = () => {
  console.log(
    '\nThe base image could not be fetched (see above). Without Docker Hub access, set BASE_IMAGE to an image',
  )
  console.log('in a registry you can reach, e.g. BASE_IMAGE=127.0.0.1:5055/base/busybox:1 npm start')
  console.log('(scripts/test-env.sh up starts such a registry).')
}

if (step('validate', ['validate', dir]) !== 0) process.exit(1)
if (step('Dockerfile', ['dockerfile', dir, '--image', 'migration-image/example']) !== 0) process.exit(1)
const built = step('build with Docker (no push)', [
  'build',
  dir,
  '--image',
  'migration-image/example:local',
  '--no-cache',
  ...base,
])
if (built === 0) process.exit(0)
if (built !== NO_DOCKER) {
  noBase()
  process.exit(built)
}

console.log('\nNo Docker engine answers here: building without one, on the registry engine.')
const archive = path.join(tmpdir(), 'migration-image-example.tar')
const assembled = step('build without Docker (registry engine, an OCI archive)', [
  'build',
  dir,
  '--image',
  'migration-image/example:local',
  '--engine',
  'registry',
  '--output',
  archive,
  ...base,
])
if (assembled !== 0) {
  noBase()
  process.exit(assembled)
}
console.log(`\nThe image is ${archive}: 'docker load -i' or 'podman load -i' it anywhere, or build with --push.`)
