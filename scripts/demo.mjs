#!/usr/bin/env node
// `npm start`: the main job on the bundled example — validate, render the Dockerfile, build with whatever
// Docker engine is present (saying clearly when there is none). Set BASE_IMAGE to build on a local base image
// when the tool's official image cannot be pulled (no Docker Hub access).
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const cli = path.join(root, 'dist', 'cli.js')
const dir = 'examples/atlas/migrations'

function step(title, args) {
  console.log(`\n== ${title}: migration-image ${args.join(' ')}`)
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' }).status
}

if (step('validate', ['validate', dir]) !== 0) process.exit(1)
if (step('Dockerfile', ['dockerfile', dir, '--image', 'migration-image/example']) !== 0) process.exit(1)
const base = process.env.BASE_IMAGE ? ['--base-image', process.env.BASE_IMAGE] : []
const build = step('build (no push)', ['build', dir, '--image', 'migration-image/example:local', '--no-cache', ...base])
if (build === 3) {
  console.log('\nNo Docker engine here, so the image was not built (validation and the Dockerfile above need none).')
  console.log('Start one (see scripts/test-env.sh for a private dockerd) and set DOCKER_HOST to build.')
  process.exit(0)
}
if (build !== 0) {
  console.log('\nThe build failed (see above). Without Docker Hub access, set BASE_IMAGE to a local image, e.g.')
  console.log('BASE_IMAGE=127.0.0.1:5055/base/busybox:1 npm start  (after scripts/test-env.sh up)')
}
process.exit(build)
