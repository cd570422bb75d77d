import { UsageError } from '../errors.js'
import { nameOptions, OPTION, type OptionNames } from '../option-names.js'
import type { Engine, ImageRequest } from '../request.js'

/** The engine that builds: the one asked for, or for `auto` the registry engine when no Docker engine answers. */
export type ChosenEngine = 'buildx' | 'registry'

/**
 * What the registry engine cannot do, refused before anything runs: it runs no command (so no self-check stage), and
 * `--output` is its archive, written instead of a push.
 */
export function checkEngine(image: ImageRequest, names: OptionNames): void {
  const fail = (message: string, fix: string): never => {
    throw new UsageError(nameOptions(message, names), { fix: nameOptions(fix, names) })
  }
  if (image.engine === 'registry' && image.selfCheck) {
    fail(
      `${OPTION.selfCheck} needs a build that runs the tool, and the registry engine runs nothing`,
      `use ${OPTION.engine} buildx for the self-check, or drop ${OPTION.selfCheck}`,
    )
  }
  if (image.engine === 'registry' && image.load && !image.push && image.output === undefined) {
    fail(
      'the registry engine writes the image to a registry or an archive, never into a local Docker engine',
      `add --push, or ${OPTION.output} FILE.tar (then docker load -i FILE.tar)`,
    )
  }
  if (image.output !== undefined) {
    if (image.engine === 'buildx') {
      fail(`${OPTION.output} is written by the registry engine`, `add ${OPTION.engine} registry (or auto)`)
    }
    if (image.push) fail(`${OPTION.output} writes the image instead of pushing it`, 'drop one of --push and --output')
    if (image.selfCheck) {
      fail(
        `${OPTION.selfCheck} needs a build that runs the tool, and ${OPTION.output} is written by the registry engine, which runs nothing`,
        `drop one of ${OPTION.selfCheck} and ${OPTION.output}`,
      )
    }
    if (!/\.tar$/i.test(image.output)) fail(`${OPTION.output} must name a .tar file`, 'e.g. --output image.tar')
  }
}

/**
 * `auto`: the registry engine when no Docker engine is reachable (and nothing asks for a build), or when an archive
 * (`output`) is asked for: only the registry engine writes one, so a Docker engine being there does not matter.
 */
export function chooseEngine(
  engine: Engine,
  dockerReachable: boolean,
  selfCheck: boolean,
  archive = false,
): ChosenEngine {
  if (engine !== 'auto') return engine
  if (archive) return 'registry'
  return dockerReachable || selfCheck ? 'buildx' : 'registry'
}
