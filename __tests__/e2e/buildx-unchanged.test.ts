import { cpSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildxEnv, pushToMain, randomName, runnerMachine, runOnRunner, type Runner } from '../helpers/buildx-env.js'
import type { ActionRun } from '../helpers/runner.js'
import { randomSha, registryDigest } from '../helpers/real-env.js'
import { independentSum, makeDir, ROOT } from '../helpers/tmp.js'

// Real parts: buildx 0.29 on Docker Engine 28.5 (classic image store, the plain runner's builder) and the registry
// with login. A push to the default branch that changes no migration adds its tags to the image already there.
const env = buildxEnv()
const output = (run: ActionRun): string => run.stdout + run.stderr
const built = (run: ActionRun): boolean => /::group::docker buildx build/.test(run.stdout)
const auth = `Basic ${Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')}`

/** The image's labels, from the registry: manifest → config blob. */
async function labelsOf(repository: string, tag: string): Promise<Record<string, string>> {
  const base = `http://${env.MI_REGISTRY}/v2/${repository}`
  const manifest = (await (
    await fetch(`${base}/manifests/${tag}`, {
      headers: {
        Authorization: auth,
        Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    })
  ).json()) as { config: { digest: string } }
  const config = (await (
    await fetch(`${base}/blobs/${manifest.config.digest}`, { headers: { Authorization: auth } })
  ).json()) as { config: { Labels: Record<string, string> } }
  return config.config.Labels
}

/**
 * A workspace holding a copy of the atlas example plus `extra` migrations (atlas.sum remade). The engine is shared:
 * content no other test builds keeps its COPY from hitting a cached layer staged with other mtimes.
 */
function workspace(extra: Record<string, string>): string {
  const dir = makeDir()
  cpSync(path.join(ROOT, 'examples/atlas/migrations'), path.join(dir, 'migrations'), { recursive: true })
  for (const [name, sql] of Object.entries(extra)) writeFileSync(path.join(dir, 'migrations', name), sql)
  writeFileSync(path.join(dir, 'migrations', 'atlas.sum'), independentSum(path.join(dir, 'migrations')))
  return dir
}

describe('unchanged migrations: a push to the default branch re-tags, builds nothing', () => {
  const repository = randomName('acme/bx-unchanged')
  const inputs = { dir: 'migrations', image: `${env.MI_REGISTRY}/${repository}`, 'base-image': env.MI_BASE_BUSYBOX }
  const own = { '99990101000000_own.sql': `CREATE TABLE own_${randomSha().slice(0, 12)} (id int);\n` }
  const same = workspace(own)
  const more = workspace({ ...own, '99990102000000_more.sql': 'CREATE TABLE more_things (id int);\n' })
  const shas = [randomSha(), randomSha(), randomSha()]
  let runner: Runner
  const runs: ActionRun[] = []
  let latestAfterSecond: string | undefined
  const at = (sha: string, seconds: number): Runner => ({
    ...runner,
    env: { ...runner.env, SOURCE_DATE_EPOCH: String(seconds) },
  })

  beforeAll(async () => {
    runner = runnerMachine(env, 'classic')
    runs.push((await runOnRunner(env, at(shas[0], 1_700_000_000), pushToMain(shas[0], same), inputs)).main)
    runs.push((await runOnRunner(env, at(shas[1], 1_700_000_100), pushToMain(shas[1], same), inputs)).main)
    latestAfterSecond = await registryDigest(env, repository, 'latest')
    runs.push((await runOnRunner(env, at(shas[2], 1_700_000_200), pushToMain(shas[2], more), inputs)).main)
  })

  it('first push: builds and pushes, the image carries its content key', async () => {
    const [first] = runs
    expect(first.status, output(first)).toBe(0)
    expect(built(first)).toBe(true)
    expect(first.outputs.digest).toBe(await registryDigest(env, repository, shas[0]))
    const labels = await labelsOf(repository, shas[0])
    expect(labels['io.migration-image.content-key']).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(labels['org.opencontainers.image.revision']).toBe(shas[0])
  })

  it('same migrations, new commit: no build; the new sha tag and latest point at the first image', async () => {
    const [first, second] = runs
    expect(second.status, output(second)).toBe(0)
    expect(built(second), output(second)).toBe(false)
    expect(output(second)).not.toMatch(/buildx build/)
    expect(second.outputs.digest).toBe(first.outputs.digest)
    expect(second.outputs['image-ref']).toBe(`${inputs.image}@${first.outputs.digest}`)
    expect(second.outputs.pushed).toBe('true')
    expect(second.outputs.tags.split('\n')).toEqual([`${inputs.image}:${shas[1]}`, `${inputs.image}:latest`])
    expect(await registryDigest(env, repository, shas[1])).toBe(first.outputs.digest)
    expect(latestAfterSecond).toBe(first.outputs.digest)
    expect(second.summary).toContain(`unchanged since ${shas[0]}, re-tagged`)
    expect(second.stdout).toMatch(new RegExp(`::notice::unchanged since ${shas[0].slice(0, 12)}, re-tagged`))
  })

  it('one more migration: builds a new image', async () => {
    const [first, , third] = runs
    expect(third.status, output(third)).toBe(0)
    expect(built(third)).toBe(true)
    expect(third.outputs.digest).not.toBe(first.outputs.digest)
    expect(await registryDigest(env, repository, shas[2])).toBe(third.outputs.digest)
    expect(await registryDigest(env, repository, 'latest')).toBe(third.outputs.digest)
    expect(third.summary).not.toContain('unchanged since')
  })
})

describe('reproducible: the same input built twice is the same image', () => {
  const repository = randomName('acme/bx-repro')
  const inputs = { dir: 'migrations', image: `${env.MI_REGISTRY}/${repository}`, 'base-image': env.MI_BASE_BUSYBOX }
  const sha = randomSha()
  const digests: string[] = []
  const own = { '99990101000000_own.sql': `CREATE TABLE own_${randomSha().slice(0, 12)} (id int);\n` }

  beforeAll(async () => {
    const runner = runnerMachine(env, 'classic')
    const fixed = { ...runner, env: { ...runner.env, SOURCE_DATE_EPOCH: '1700000000' } }
    for (let i = 0; i < 2; i++) {
      // A fresh staging (other mtimes) each time; the first image is deleted from the registry so nothing is
      // re-tagged, and the engine's build cache is pruned so the second build makes its layer again.
      const { main } = await runOnRunner(env, fixed, pushToMain(sha, workspace(own)), inputs)
      expect(main.status, output(main)).toBe(0)
      expect(built(main)).toBe(true)
      digests.push(main.outputs.digest)
      const deleted = await fetch(`http://${env.MI_REGISTRY}/v2/${repository}/manifests/${main.outputs.digest}`, {
        method: 'DELETE',
        headers: { Authorization: auth },
      })
      expect(deleted.status).toBe(202)
      expect(runner.docker(['buildx', 'prune', '--all', '--force']).status).toBe(0)
    }
  })

  it('gives the same digest', () => {
    expect(digests[0]).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(digests[1]).toBe(digests[0])
  })
})
