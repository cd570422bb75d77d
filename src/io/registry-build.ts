import { parseBaseImage } from '../core/image/image-ref.js'
import { platformName } from '../core/image/oci.js'
import type { ImageSpec } from '../core/image/spec.js'
import type { ImageRequest } from '../core/request.js'
import { assemble, pushImage, readBase, type AssembledImage } from './assemble.js'
import { baseLogin } from './docker-config.js'
import { writeLayer } from './layer.js'
import type { Log } from './log.js'
import { writeOciArchive } from './oci-archive.js'
import { splitReference, type Credentials, type RegistryClient, type Traffic } from './registry.js'
import type { StagedContext } from './stage.js'

/** What the registry engine made: the image's digest, where it went, and what moved (benchmark figures). */
export interface RegistryBuild {
  readonly digest: string
  readonly platforms: readonly string[]
  readonly pushed: boolean
  /** The OCI image archive written (the CLI's --output), when not pushing. */
  readonly archive?: string
  readonly blobs?: { present: number; mounted: number; copied: number; bytes: number }
  readonly traffic: Traffic
}

/**
 * The registry engine: the base's documents read from its registry, the layer written from the staged context,
 * the image assembled for every platform at once, then pushed (blobs, manifests, each tag) or written as an OCI
 * archive. No Docker engine, no builder, nothing run inside the image.
 */
export async function buildOnRegistry(
  image: ImageRequest,
  spec: ImageSpec,
  context: StagedContext,
  target: RegistryClient,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<RegistryBuild> {
  const reference = parseBaseImage(spec.base.reference).reference
  const base = splitReference(reference)
  const login: Credentials | undefined = baseLogin(image.credentials, image.name.registry, base.registry, env)
  const [baseImage, layer] = await Promise.all([
    readBase(reference, image.platforms, login),
    writeLayer(spec, context.dir, context.entries),
  ])
  const assembled: AssembledImage = assemble(baseImage, spec, layer)
  const platforms = assembled.platforms.map((platform) => (platform.platform ? platformName(platform.platform) : '?'))
  log.info(
    `registry engine: ${reference} (${platforms.join(', ')}) + one layer of ${context.entries.length} entries (${layer.size} bytes): ${assembled.top.digest}`,
  )
  const traffic = (): Traffic => ({
    up: target.traffic.up + baseImage.client.traffic.up,
    down: target.traffic.down + baseImage.client.traffic.down,
  })
  if (image.push) {
    const pushed = await log.group(`push ${image.name.name} (${image.tags.length} tags, registry engine)`, () =>
      pushImage(assembled, target, image.tags, (tag) => `${image.name.name}:${tag}`),
    )
    return { digest: pushed.digest, platforms, pushed: true, blobs: pushed.blobs, traffic: traffic() }
  }
  if (image.output) {
    const references = image.tags.map((tag) => `${image.name.name}:${tag}`)
    await log.group(`write ${image.output}`, () => writeOciArchive(assembled, image.output as string, references))
    log.info(`wrote ${image.output}: docker load -i ${image.output} (or podman load) gives ${references.join(', ')}`)
    return { digest: assembled.top.digest, platforms, pushed: false, archive: image.output, traffic: traffic() }
  }
  return { digest: assembled.top.digest, platforms, pushed: false, traffic: traffic() }
}
