#!/usr/bin/env node
// bench/publish: the action's publish (node dist/index.js on a push to the default branch: validate, stage,
// login, build, push) against a hand-run `docker build && docker push` of the same Dockerfile and context on the
// same engine and registry, alternated in one process. Prints the median ratio and how many docker processes the
// action spawned (a PATH shim counts them; docker/build-push-action runs 8-9).
// Needs the real parts: it runs scripts/test-env.sh up. Usage: node bench/publish.mjs [--runs R] [--node current]
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { testEnv } from './test-env.mjs'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, node: { type: 'string', default: 'node24' } },
})
const runs = Number(values.runs)
const env = testEnv()
const dir = 'examples/atlas/migrations'
// The action's runtime is node24 (action.yml); test-env fetched that binary. --node current uses this process's.
const actionNode = values.node === 'current' || !env.MI_NODE24 ? process.execPath : env.MI_NODE24
const work = mkdtempSync(path.join(tmpdir(), 'mi-bench-publish-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true })) // also after a failed run

// A `docker` on PATH that counts its invocations, then runs the engine's client.
const shim = path.join(work, 'bin')
const counter = path.join(work, 'docker-calls')
execFileSync('mkdir', ['-p', shim])
writeFileSync(path.join(shim, 'docker'), `#!/bin/sh\necho "$1" >> '${counter}'\nexec '${env.DOCKER_BIN}' "$@"\n`)
chmodSync(path.join(shim, 'docker'), 0o755)
const calls = () => readFileSync(counter, 'utf8').trim().split('\n').filter(Boolean)

const sha = () => randomBytes(20).toString('hex')
const time = (fn) => {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

function action() {
  const temp = mkdtempSync(path.join(work, 'runner-'))
  for (const f of ['output', 'summary', 'state']) writeFileSync(path.join(temp, f), '')
  writeFileSync(path.join(temp, 'event.json'), JSON.stringify({ repository: { default_branch: 'main' } }))
  const runEnv = {
    PATH: `${shim}:${process.env.PATH}`,
    HOME: temp,
    DOCKER_HOST: env.DOCKER_HOST,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary'),
    GITHUB_STATE: path.join(temp, 'state'),
    GITHUB_EVENT_PATH: path.join(temp, 'event.json'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: sha(),
    GITHUB_REPOSITORY: 'bench/api',
    INPUT_DIR: dir,
    INPUT_IMAGE: `${env.MI_REGISTRY}/bench/action`,
    'INPUT_BASE-IMAGE': env.MI_BASE_BUSYBOX,
    INPUT_USERNAME: env.MI_REGISTRY_USER,
    INPUT_PASSWORD: env.MI_REGISTRY_PASSWORD,
  }
  const ran = spawnSync(actionNode, [path.join(root, 'dist/index.js')], {
    cwd: root,
    env: runEnv,
    encoding: 'utf8',
  })
  if (ran.status !== 0) throw new Error(`action failed:\n${ran.stdout}${ran.stderr}`)
  return { temp, runEnv }
}

function post({ temp, runEnv }) {
  const state = readFileSync(path.join(temp, 'state'), 'utf8').split('\n')
  const value = state[state.findIndex((line) => line.startsWith('cleanup<<')) + 1]
  const ran = spawnSync(actionNode, [path.join(root, 'dist/post.js')], {
    cwd: root,
    env: { ...runEnv, STATE_cleanup: value },
    encoding: 'utf8',
  })
  if (ran.status !== 0) throw new Error(`post failed: ${ran.stdout}${ran.stderr}`)
}

// The baseline: the same Dockerfile and files, built and pushed by hand with an already logged-in config.
const context = mkdtempSync(path.join(work, 'context-'))
// the layout the action stages: image/<last part of the tool's migrations directory>/
cpSync(path.join(root, dir), path.join(context, 'image', 'migrations'), { recursive: true })
function baseline(withLogin = false) {
  const dockerfile = execFileSync(
    process.execPath,
    [
      path.join(root, 'dist/cli.js'),
      'dockerfile',
      dir,
      '--image',
      `${env.MI_REGISTRY}/bench/manual`,
      '--base-image',
      env.MI_BASE_BUSYBOX,
    ],
    // A label that changes per run, as the action's revision does (a new commit each push): neither side gets a
    // build that the engine has fully cached.
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        SOURCE_DATE_EPOCH: String(Math.floor(Date.now() / 1000) + Math.floor(Math.random() * 1e6)),
      },
    },
  )
  // this engine's legacy builder gets the file without `COPY --link`, as the action gives it
  writeFileSync(path.join(context, 'Dockerfile'), dockerfile.replace(/^COPY --link /m, 'COPY '))
  const ref = `${env.MI_REGISTRY}/bench/manual:${sha()}`
  const denv = { ...process.env, DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: env.MI_DOCKER_CONFIG }
  return time(() => {
    if (withLogin) {
      execFileSync(env.DOCKER_BIN, ['login', env.MI_REGISTRY, '-u', env.MI_REGISTRY_USER, '--password-stdin'], {
        env: denv,
        input: env.MI_REGISTRY_PASSWORD,
        stdio: ['pipe', 'ignore', 'ignore'],
      })
    }
    execFileSync(env.DOCKER_BIN, ['build', '-q', '-t', ref, context], { env: denv, stdio: 'ignore' })
    execFileSync(env.DOCKER_BIN, ['push', ref], { env: denv, stdio: 'ignore' })
  })
}

post(action()) // warm: base image, layers in the registry
baseline()
const base = []
const baseLogin = []
const main = []
const withPost = []
let processes = []
for (let i = 0; i < runs; i++) {
  base.push(baseline())
  baseLogin.push(baseline(true))
  writeFileSync(counter, '')
  let run
  const mainMs = time(() => (run = action()))
  const postMs = time(() => post(run))
  main.push(mainMs)
  withPost.push(mainMs + postMs)
  processes = calls()
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  `engine: dockerd with ${env.DOCKER_BIN.includes('local') ? 'docker 28 client' : 'docker 20.10 client'} (no buildx: docker build + docker push path)`,
)
console.log(`docker build && docker push   median ${median(base).toFixed(0)} ms over ${runs} runs`)
console.log(`docker login && build && push  median ${median(baseLogin).toFixed(0)} ms`)
console.log(`action main step              median ${median(main).toFixed(0)} ms (validate, stage, login, build, push)`)
console.log(`action main + post step       median ${median(withPost).toFixed(0)} ms (+ logout, cleanup)`)
console.log(
  `ratio main / (build && push): ${(median(main) / median(base)).toFixed(2)} (goal <= 1.15); with post: ${(median(withPost) / median(base)).toFixed(2)}`,
)
console.log(`ratio main / (login && build && push): ${(median(main) / median(baseLogin)).toFixed(2)}`)
console.log(
  `docker processes per publish (main + post): ${processes.length} (${processes.join(', ')}); docker/build-push-action runs 8-9`,
)
