import { describe, expect, it } from 'vitest'
import { parseCliArgs } from '../src/cli/args.js'
import { checkEngine, chooseEngine } from '../src/core/build/engine.js'
import { CLI_NAMES } from '../src/core/option-names.js'
import type { ImageRequest } from '../src/core/request.js'
import { FakeDocker } from './helpers/fake-docker.js'
import { makeDir, runCli } from './helpers/tmp.js'

// Which engine builds, and what each refuses before anything runs (src/core/build/engine.ts).
function image(...flags: string[]): ImageRequest {
  const args = parseCliArgs(['build', 'dir', '--image', 'acme/api:v1', ...flags], { env: {}, readPassword: () => 'pw' })
  if (args.kind !== 'run' || !args.request.image) throw new Error('not a build')
  return args.request.image
}

describe('engine: auto, buildx, registry', () => {
  it('auto builds with docker when it answers, on the registry when not; self-check keeps docker', () => {
    expect(chooseEngine('auto', true, false)).toBe('buildx')
    expect(chooseEngine('auto', false, false)).toBe('registry')
    expect(chooseEngine('auto', false, true)).toBe('buildx')
    expect(chooseEngine('buildx', false, false)).toBe('buildx')
    expect(chooseEngine('registry', true, false)).toBe('registry')
  })

  it('auto with an archive asked for is the registry engine, Docker or not (only it writes one)', () => {
    expect(chooseEngine('auto', true, false, true)).toBe('registry')
    expect(chooseEngine('auto', false, false, true)).toBe('registry')
  })

  it('refuses what the registry engine cannot do, naming the flags', () => {
    const refused = (request: ImageRequest): string => {
      try {
        checkEngine(request, CLI_NAMES)
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    }
    expect(refused(image('--engine', 'registry'))).toMatch(/writes the image to a registry or an archive/)
    expect(refused(image('--engine', 'registry', '--output', 'x.tar'))).toBe('accepted')
    expect(refused(image('--engine', 'auto', '--output', 'x.tar'))).toBe('accepted')
    expect(refused(image('--output', 'x.tar'))).toBe('--output is written by the registry engine')
    expect(refused(image('--engine', 'auto', '--output', 'x.tar', '--push'))).toBe(
      '--output writes the image instead of pushing it',
    )
    expect(refused(image('--engine', 'auto', '--output', 'x.oci'))).toBe('--output must name a .tar file')
    expect(refused(image('--engine', 'auto', '--output', 'x.tar', '--tool', 'atlas', '--self-check'))).toMatch(
      /^--self-check needs a build that runs the tool, and --output is written by the registry engine/,
    )
  })

  it('the report says where the image goes: the local store, or the archive', () => {
    expect(image().pushReason).toBe('built into the local image store (--push to push)')
    expect(image('--output', 'out/x.tar').pushReason).toBe('written to out/x.tar (--push to push instead)')
  })

  it('through dist/: --output with a Docker engine there still writes the archive on the registry engine (no docker run)', () => {
    const temp = makeDir()
    const docker = new FakeDocker(temp)
    // No registry answers here (RFC 6761: .invalid never resolves): the run stops at the base image's manifest, after
    // choosing the registry engine.
    const ran = runCli(
      [
        'build',
        'examples/atlas/migrations',
        '--image',
        'acme/api:v1',
        '--engine',
        'auto',
        '--output',
        `${temp}/x.tar`,
        '--base-image',
        'registry.invalid/base/x:1',
      ],
      { PATH: docker.path() },
    )
    expect(ran.stdout + ran.stderr).toContain(`not pushing: written to ${temp}/x.tar (--push to push instead)`)
    expect(ran.stderr).toMatch(/registry registry\.invalid: GET manifest base\/x:1 failed/)
    expect(docker.calls()).toEqual([])
  })
})
