import type { Validation } from '../check/validate.js'
import { CONTENT_KEY_LABEL } from './content-key.js'

export interface LabelInput {
  readonly validation: Validation
  readonly tool: string
  /** e.g. https://github.com/acme/api; omitted when unknown. */
  readonly source?: string
  /** The commit the image is made from; omitted when there is none. */
  readonly revision?: string
  /** The commit's time or SOURCE_DATE_EPOCH (ISO 8601), never the wall clock; omitted when unknown. */
  readonly created?: string
  readonly title: string
  /** The content key (src/core/image/content-key.ts): a later run with the same key re-tags instead of building. */
  readonly contentKey?: string
}

/** OCI annotations plus what the image holds, so `docker inspect` answers "which migrations are in here?". */
export function imageLabels({
  validation,
  tool,
  source,
  revision,
  created,
  title,
  contentKey,
}: LabelInput): Record<string, string> {
  const labels: Record<string, string> = {}
  if (source) labels['org.opencontainers.image.source'] = source
  if (revision) labels['org.opencontainers.image.revision'] = revision
  if (created) labels['org.opencontainers.image.created'] = created
  labels['org.opencontainers.image.title'] = title
  labels['io.migration-image.tool'] = tool
  labels['io.migration-image.count'] = String(validation.count)
  labels['io.migration-image.latest-version'] = validation.latestVersion ?? ''
  labels['io.migration-image.checksum'] = validation.checksum
  if (contentKey) labels[CONTENT_KEY_LABEL] = contentKey
  return labels
}
