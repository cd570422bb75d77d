#!/usr/bin/env node
// bench/publish-buildx: the action's main step (node24 dist/index.js, a push to the default branch) against the
// hand-written four-step workflow's build step (`docker login` + `docker buildx build --push` with the same tags,
// and with build-push-action's usual `--cache-from type=gha,scope=S --cache-to type=gha,mode=max,scope=S` when the
// cache is on), on real buildx: Docker Engine 28.5's classic store and its containerd store (the docker driver),
// a base of about 200 MB in the loopback registry, and the GitHub cache service stand-in
// (__tests__/helpers/gha-cache-service.ts, bundled here with esbuild).
//
// Setups: the registry engine (engine: registry, no docker on the action's PATH) against the hand run on the
// containerd store and on the remote builder; the docker driver on each store (no cache; and the gha cache on the containerd store, the only one where
// the docker driver exports it), and a remote-driver builder standing in for setup-buildx-action's, with and without
// the cache. Three phases, each on a "fresh runner" (the builder's local cache pruned first, as a new job starts with none):
//   first      a new image: nothing in the registry or the cache
//   one more   the same image with one new migration
//   unchanged  the same files again under a new commit (the action re-tags; the hand workflow builds)
// Time is the median over --runs repetitions, action and hand alternated in this one process; bytes moved are
// read from the registry's access log (blob uploads: the upload's final offset; blob downloads: the answer's size)
// and from the cache stand-in's request log (a new job each time: the engine's build cache, the base and the
// bench's images are removed before every run). Hand variants on the containerd store with the cache: mode=min, and
// the Dockerfile with `COPY --link`.
// Needs the real parts: it runs scripts/test-env.sh up. Usage: node bench/publish-buildx.mjs [--runs R] [--only TEXT]
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  appendFileSync,
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { testEnv } from './test-env.mjs'
import { build } from 'esbuild'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, only: { type: 'string', default: '' } },
})
const runs = Number(values.runs)
const env = testEnv()
if (!env.MI_BUILDX_DOCKER_BIN) throw new Error('the test env has no buildx part (MI_TEST_ENV_BUILDX=0?)')
const actionNode = env.MI_NODE24 || process.execPath
const work = mkdtempSync(path.join(tmpdir(), 'mi-bench-buildx-'))
const registryLog = path.join(env.MI_TEST_ENV_DIR, 'logs', 'registry.log')
const sha = () => randomBytes(20).toString('hex')
const hosts = { classic: env.MI_ENGINE_CLASSIC_HOST, containerd: env.MI_ENGINE_CONTAINERD_HOST }

// The cache service stand-in, bundled from the tests' TypeScript.
const serviceFile = path.join(work, 'gha-cache-service.mjs')
await build({
  entryPoints: [path.join(root, '__tests__/helpers/gha-cache-service.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: serviceFile,
  logLevel: 'error',
})
const { startCacheService } = await import(serviceFile)
const cache = await startCacheService()
// One write scope per image and repetition: BuildKit skips uploading a layer any readable scope already holds, so
// a shared scope would let whoever runs second ride on the other's upload.
const tokenFor = (repository) =>
  cache.token([{ Scope: `refs/heads/${repository.replace(/\W+/g, '-')}`, Permission: 3 }])

// A runner's docker side: HOME/.docker with the buildx plugin; a `docker` shim on PATH counts the action's calls.
const home = path.join(work, 'home')
mkdirSync(path.join(home, '.docker', 'cli-plugins'), { recursive: true })
writeFileSync(
  path.join(home, '.docker', 'config.json'),
  JSON.stringify({
    auths: {
      [env.MI_REGISTRY2]: {
        auth: Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64'),
      },
    },
  }),
)
symlinkSync(env.MI_BUILDX_PLUGIN, path.join(home, '.docker', 'cli-plugins', 'docker-buildx'))
const shim = path.join(work, 'bin')
const counter = path.join(work, 'docker-calls')
mkdirSync(shim)
writeFileSync(
  path.join(shim, 'docker'),
  `#!/bin/sh\necho "$1 $2" >> '${counter}'\nexec '${env.MI_BUILDX_DOCKER_BIN}' "$@"\n`,
)
chmodSync(path.join(shim, 'docker'), 0o755)
writeFileSync(counter, '')
// The registry engine's runner: node and git only, no docker at all (the counter then stays empty).
const noDocker = path.join(work, 'bin-no-docker')
mkdirSync(noDocker)
for (const tool of ['node', 'git']) {
  symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(noDocker, tool))
}

function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    child.stdin.end(options.input ?? '')
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} failed:\n${out.slice(-3000)}`)),
    )
  })
}
const docker = (engine, args, config = env.MI_BUILDX_LOGIN_CONFIG, input) =>
  run(env.MI_BUILDX_DOCKER_BIN, args, {
    env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: hosts[engine], DOCKER_CONFIG: config },
    input,
  })
const timed = async (fn) => {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

// The base: busybox plus a 200 MB layer of random bytes, built once and kept in the registry.
const BASE = `${env.MI_REGISTRY}/bench/base200:1`
async function registryHas(repository, tag) {
  const auth = Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')
  const response = await globalThis.fetch(`http://${env.MI_REGISTRY}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Authorization: `Basic ${auth}`,
      Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  })
  return response.ok
}
if (!(await registryHas('bench/base200', '1'))) {
  const context = path.join(work, 'base')
  mkdirSync(context)
  const fd = openSync(path.join(context, 'blob'), 'w')
  for (let i = 0; i < 200; i++) appendFileSync(fd, randomBytes(1 << 20))
  closeSync(fd)
  writeFileSync(path.join(context, 'Dockerfile'), `FROM ${env.MI_BASE_BUSYBOX}\nCOPY blob /opt/blob\n`)
  await docker('classic', ['buildx', 'build', '--push', '--provenance=false', '-t', BASE, context])
}
// The same base in the second registry (as a Docker Hub base is to a ghcr.io image: no cross-repository mount, so
// the registry engine copies its layers on a first publish and the hand run pulls them on every fresh job).
const BASE2 = `${env.MI_REGISTRY2}/bench/base200:1`
const auth2 = Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')
const withAuth2 = (config) =>
  writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [env.MI_REGISTRY2]: { auth: auth2 } } }))
{
  const login = mkdtempSync(path.join(work, 'copy-login-'))
  cpSync(env.MI_BUILDX_LOGIN_CONFIG, login, { recursive: true })
  const merged = JSON.parse(readFileSync(path.join(login, 'config.json'), 'utf8'))
  merged.auths = { ...merged.auths, [env.MI_REGISTRY2]: { auth: auth2 } }
  writeFileSync(path.join(login, 'config.json'), JSON.stringify(merged))
  await docker('classic', ['buildx', 'imagetools', 'create', '-t', BASE2, BASE], login)
}
// The runner's own docker config holds the login for the second registry (docker/login-action's, in a real job).

// Workspaces: the atlas example plus a migration of this bench's own (so no other build's cache matches), and the
// same plus one more. atlas.sum is remade by the CLI's hash command.
function workspace(extra) {
  const dir = mkdtempSync(path.join(work, 'ws-'))
  cpSync(path.join(root, 'examples/atlas/migrations'), path.join(dir, 'migrations'), { recursive: true })
  for (const [name, sql] of Object.entries(extra)) writeFileSync(path.join(dir, 'migrations', name), sql)
  execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'hash', path.join(dir, 'migrations')], {
    stdio: 'ignore',
  })
  return dir
}

// Bytes through the registry since an offset of its access log, for repositories under bench/ only.
const logSize = () => statSync(registryLog).size
function registryBytes(from) {
  const size = logSize() - from
  const buffer = Buffer.alloc(size)
  const fd = openSync(registryLog, 'r')
  readSync(fd, buffer, 0, size, from)
  closeSync(fd)
  let up = 0
  let down = 0
  for (const line of buffer.toString('utf8').split('\n')) {
    const access = /"(GET|PUT) (\/v2\/bench\/\S+) HTTP\/[\d.]+" (\d+) (\d+)/.exec(line)
    if (!access) continue
    const [, method, uri, status, written] = access
    if (method === 'GET' && uri.includes('/blobs/') && status.startsWith('2')) down += Number(written)
    const state = /[?&]_state=([^&]+)/.exec(uri)
    if (method === 'PUT' && state && /[?&]digest=/.test(uri)) {
      try {
        const json = JSON.parse(Buffer.from(decodeURIComponent(state[1]).split('.')[0], 'base64').toString('utf8'))
        up += Number(json.Offset) || 0
      } catch {
        // an upload state we cannot read counts as nothing
      }
    }
  }
  return { up, down }
}
function cacheBytes(from) {
  let up = 0
  let down = 0
  for (const entry of cache.log.slice(from)) {
    if (entry.api === 'blob' && (entry.op === 'put' || entry.op === 'block')) up += entry.bytes ?? 0
    if (entry.api === 'blob' && entry.op === 'get') down += entry.bytes ?? 0
  }
  return { up, down }
}

// The action's main step, as the runner runs it.
async function action({ engine, useCache, builder, actionEngine, base = BASE }, repository, ws, commit) {
  const temp = mkdtempSync(path.join(work, 'runner-'))
  for (const file of ['output', 'summary', 'state']) writeFileSync(path.join(temp, file), '')
  writeFileSync(path.join(temp, 'event.json'), JSON.stringify({ repository: { default_branch: 'main' } }))
  const stepEnv = {
    PATH: actionEngine === 'registry' ? noDocker : `${shim}:${env.MI_BUILDX_BIN_DIR}:${process.env.PATH}`,
    HOME: home,
    DOCKER_HOST: hosts[engine],
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary'),
    GITHUB_STATE: path.join(temp, 'state'),
    GITHUB_EVENT_PATH: path.join(temp, 'event.json'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: commit,
    GITHUB_REPOSITORY: 'bench/api',
    SOURCE_DATE_EPOCH: '1700000000',
    INPUT_DIR: 'migrations',
    INPUT_IMAGE: `${env.MI_REGISTRY}/${repository}`,
    'INPUT_BASE-IMAGE': base,
    INPUT_USERNAME: env.MI_REGISTRY_USER,
    INPUT_PASSWORD: env.MI_REGISTRY_PASSWORD,
    INPUT_CACHE: String(useCache),
    ...(builder && actionEngine !== 'registry' ? { INPUT_BUILDER: builder } : {}),
    ...(actionEngine ? { INPUT_ENGINE: actionEngine } : {}),
    ...(useCache ? cache.runnerEnv(tokenFor(repository)) : {}),
  }
  const out = await run(actionNode, [path.join(root, 'dist/index.js')], { cwd: ws, env: stepEnv })
  const built = out.includes('::group::docker buildx build') || /::group::push .* registry engine\)/.test(out)
  return { built, retagged: out.includes('re-tagged') }
}

// The hand-written workflow's login and build-push step on the same builder, with the action's Dockerfile.
async function hand({ engine, useCache, builder, base = BASE }, repository, ws, commit, variant = 'max') {
  const context = mkdtempSync(path.join(work, 'context-'))
  // the layout the action stages: image/<last part of the tool's migrations directory>/
  cpSync(path.join(ws, 'migrations'), path.join(context, 'image', 'migrations'), { recursive: true })
  let dockerfile = execFileSync(
    process.execPath,
    [
      path.join(root, 'dist/cli.js'),
      'dockerfile',
      path.join(ws, 'migrations'),
      '--image',
      `${env.MI_REGISTRY}/${repository}`,
      '--base-image',
      base,
    ],
    { encoding: 'utf8' },
  )
  // The hand-written workflow's Dockerfile: a plain COPY (what teams write); the `link` variant adds the flag.
  dockerfile = dockerfile.replace(/^COPY --link /m, 'COPY ')
  if (variant === 'link') dockerfile = dockerfile.replace(/^COPY /m, 'COPY --link ')
  writeFileSync(path.join(context, 'Dockerfile'), dockerfile)
  const config = path.join(work, `config-${randomBytes(4).toString('hex')}`)
  mkdirSync(config)
  if (base !== BASE) withAuth2(config) // the job's login for the base's registry, from an earlier step
  const image = `${env.MI_REGISTRY}/${repository}`
  const scope = `hand-${repository.replace(/\W+/g, '-')}`
  const cacheArgs = useCache
    ? [
        '--cache-from',
        `type=gha,scope=${scope}`,
        '--cache-to',
        `type=gha,scope=${scope},mode=${variant === 'min' ? 'min' : 'max'}`,
      ]
    : []
  const stepEnv = {
    PATH: `${env.MI_BUILDX_BIN_DIR}:${process.env.PATH}`,
    HOME: home,
    DOCKER_HOST: hosts[engine],
    DOCKER_CONFIG: config,
    // the runner's builders (setup-buildx-action's) stay visible with the private config
    BUILDX_CONFIG: path.join(home, '.docker', 'buildx'),
    SOURCE_DATE_EPOCH: '1700000000',
    ...(useCache ? cache.runnerEnv(tokenFor(repository)) : {}),
  }
  mkdirSync(path.join(config, 'cli-plugins'))
  symlinkSync(env.MI_BUILDX_PLUGIN, path.join(config, 'cli-plugins', 'docker-buildx'))
  await run(env.MI_BUILDX_DOCKER_BIN, ['login', env.MI_REGISTRY, '-u', env.MI_REGISTRY_USER, '--password-stdin'], {
    env: stepEnv,
    input: env.MI_REGISTRY_PASSWORD,
  })
  await run(
    env.MI_BUILDX_DOCKER_BIN,
    [
      'buildx',
      'build',
      '--push',
      '--provenance=false',
      ...(builder ? ['--builder', builder] : []),
      ...cacheArgs,
      '-t',
      `${image}:${commit}`,
      '-t',
      `${image}:latest`,
      context,
    ],
    { env: stepEnv },
  )
  return { built: true, retagged: false }
}

// A new job's engine: no build cache, no base image, none of the bench's images (whose layers would keep the base).
async function freshRunner(engine) {
  const listed = await docker(engine, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])
  const ours = listed
    .split('\n')
    .filter((ref) => ref.startsWith(`${env.MI_REGISTRY}/bench/`) || ref.startsWith(`${env.MI_REGISTRY2}/bench/`))
  if (ours.length > 0) await docker(engine, ['image', 'rm', '--force', ...ours])
  await docker(engine, ['buildx', 'prune', '--all', '--force'])
  await docker(engine, ['buildx', 'prune', '--builder', REMOTE, '--all', '--force'], path.join(home, '.docker'))
}

// What docker/setup-buildx-action leaves on a runner: a builder of its own (here a remote-driver builder on the
// containerd engine's BuildKit, as the tests' runners have it), which pushes without loading into the engine.
const REMOTE = 'bench-remote'
await docker(
  'containerd',
  ['buildx', 'create', '--name', REMOTE, '--driver', 'remote', env.MI_BUILDKIT_REMOTE_ENDPOINT],
  path.join(home, '.docker'),
)
await docker('containerd', ['buildx', 'inspect', '--bootstrap', REMOTE], path.join(home, '.docker'))

const CONFIGS = [
  // The action with no Docker engine at all; the hand run as on the setups below it.
  {
    name: 'registry engine vs hand on the containerd store',
    engine: 'containerd',
    actionEngine: 'registry',
    useCache: false,
    variants: ['max'],
  },
  {
    name: 'registry engine, base in another registry, vs hand on the containerd store',
    engine: 'containerd',
    actionEngine: 'registry',
    base: BASE2,
    useCache: false,
    variants: ['max'],
  },
  {
    name: 'registry engine vs hand on the remote builder',
    engine: 'containerd',
    builder: REMOTE,
    actionEngine: 'registry',
    useCache: false,
    variants: ['max'],
  },
  { name: 'classic store, no cache', engine: 'classic', useCache: false, variants: ['max'] },
  { name: 'containerd store, no cache', engine: 'containerd', useCache: false, variants: ['max', 'link'] },
  { name: 'containerd store, gha cache', engine: 'containerd', useCache: true, variants: ['max', 'min', 'link'] },
  {
    name: 'remote builder, no cache',
    engine: 'containerd',
    builder: REMOTE,
    useCache: false,
    variants: ['max', 'link'],
  },
  {
    name: 'remote builder, gha cache',
    engine: 'containerd',
    builder: REMOTE,
    useCache: true,
    variants: ['max', 'min', 'link'],
  },
]
// --only TEXT keeps the setups whose name holds TEXT (e.g. --only 'registry engine').
CONFIGS.splice(0, CONFIGS.length, ...CONFIGS.filter((config) => config.name.includes(values.only)))
const PHASES = ['first', 'one more', 'unchanged']
const results = {} // key: config|who|phase → [{ ms, reg, cache }]
const record = (key, value) => (results[key] ??= []).push(value)
let actionCalls = []

for (let r = 0; r < runs; r++) {
  for (const config of CONFIGS) {
    const own = { '99990101000000_own.sql': `CREATE TABLE own_${randomBytes(6).toString('hex')} (id int);\n` }
    const first = workspace(own)
    const more = workspace({ ...own, '99990102000000_more.sql': 'CREATE TABLE more_things (id int);\n' })
    const who = [['action'], ...config.variants.map((variant) => [`hand ${variant}`, variant])]
    const repositories = Object.fromEntries(who.map(([name]) => [name, `bench/bx-${randomBytes(5).toString('hex')}`]))
    for (const [index, phase] of PHASES.entries()) {
      const ws = index === 0 ? first : more
      // alternate who goes first from one repetition to the next
      for (const [name, variant] of r % 2 === 0 ? who : [...who].reverse()) {
        await freshRunner(config.engine)
        const registryFrom = logSize()
        const cacheFrom = cache.log.length
        writeFileSync(counter, '')
        let outcome
        const ms = await timed(async () => {
          outcome =
            name === 'action'
              ? await action(config, repositories[name], ws, sha())
              : await hand(config, repositories[name], ws, sha(), variant)
        })
        if (name === 'action' && !config.actionEngine)
          actionCalls[index] = readFileSync(counter, 'utf8').trim().split('\n').filter(Boolean)
        if (name === 'action' && phase === 'unchanged' && !outcome.retagged)
          throw new Error('the action did not re-tag')
        if (name === 'action' && phase !== 'unchanged' && !outcome.built) throw new Error('the action did not build')
        record(`${config.name}|${name}|${phase}`, {
          ms,
          reg: registryBytes(registryFrom),
          cache: cacheBytes(cacheFrom),
        })
      }
    }
  }
}
await cache.close()

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mb = (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : `${(bytes / 1e3).toFixed(0)} kB`)
console.log(`buildx ${env.MI_BUILDX_VERSION}, Docker Engine ${env.MI_ENGINE_VERSION}; base ${BASE} (busybox + 200 MB)`)
console.log(`median of ${runs} runs; bytes moved (last run): registry up/down · cache up/down`)
console.log(
  '| setup | phase | action ms | hand (max) ms | ratio | action MB reg / cache | hand MB reg / cache | hand variants ms |',
)
console.log('|---|---|---|---|---|---|---|---|')
for (const config of CONFIGS) {
  for (const phase of PHASES) {
    const get = (who) => results[`${config.name}|${who}|${phase}`]
    const a = get('action')
    const h = get('hand max')
    const bytes = (xs) => {
      const last = xs.at(-1)
      return `${mb(last.reg.up)}/${mb(last.reg.down)} · ${mb(last.cache.up)}/${mb(last.cache.down)}`
    }
    const variants = config.variants
      .filter((variant) => variant !== 'max')
      .map(
        (variant) =>
          `${variant} ${median(get(`hand ${variant}`).map((x) => x.ms)).toFixed(0)} (${bytes(get(`hand ${variant}`))})`,
      )
      .join('; ')
    const am = median(a.map((x) => x.ms))
    const hm = median(h.map((x) => x.ms))
    console.log(
      `| ${config.name} | ${phase} | ${am.toFixed(0)} | ${hm.toFixed(0)} | ${(am / hm).toFixed(2)} | ${bytes(a)} | ${bytes(h)} | ${variants || '—'} |`,
    )
  }
  const first = median(results[`${config.name}|action|first`].map((x) => x.ms))
  const unchanged = median(results[`${config.name}|action|unchanged`].map((x) => x.ms))
  console.log(
    `| ${config.name} | unchanged / first (action) | ${(unchanged / first).toFixed(2)} (goal <= 0.25) | | | | | |`,
  )
}
for (const [index, phase] of PHASES.entries()) {
  if (!actionCalls[index]) continue
  console.log(`docker processes, action ${phase}: ${actionCalls[index].length} (${actionCalls[index].join(', ')})`)
}
console.log('hand workflow: 2 docker CLI calls (login, buildx build) + its actions (setup-buildx, login, build-push)')
if (existsSync(work)) execFileSync('sh', ['-c', 'chmod -R u+w "$1" && rm -rf "$1"', 'sh', work])
