/*
 * PostgreSQL's table-level lock modes (docs: "Explicit Locking", 13.3.1) as deploy safety speaks of them: what each
 * blocks for the running release while the migration holds it.
 */

export type LockMode = 'ACCESS EXCLUSIVE' | 'SHARE ROW EXCLUSIVE' | 'SHARE' | 'SHARE UPDATE EXCLUSIVE'

export const BLOCKS: Readonly<Record<LockMode, string>> = {
  'ACCESS EXCLUSIVE': 'blocks every read and write of the table',
  'SHARE ROW EXCLUSIVE': 'blocks every write to the table (reads go on)',
  SHARE: 'blocks every write to the table (reads go on)',
  'SHARE UPDATE EXCLUSIVE': 'lets reads and writes go on',
}

/** The modes a lock_timeout matters for: they stop the table's writes (or reads) while they wait in the queue. */
export const BLOCKING: ReadonlySet<LockMode> = new Set(['ACCESS EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE'])

const STRENGTH: readonly LockMode[] = ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'ACCESS EXCLUSIVE']

export const strongest = (modes: readonly LockMode[]): LockMode | undefined =>
  modes.reduce<LockMode | undefined>(
    (best, mode) => (best === undefined || STRENGTH.indexOf(mode) > STRENGTH.indexOf(best) ? mode : best),
    undefined,
  )

/**
 * The lock each ALTER TABLE subcommand takes (docs: ALTER TABLE, "Notes" and each form's text): ACCESS EXCLUSIVE
 * unless noted; a statement with several subcommands takes the strongest.
 */
export const ALTER_TABLE_LOCKS: Readonly<Record<string, LockMode>> = {
  AT_ValidateConstraint: 'SHARE UPDATE EXCLUSIVE',
  AT_SetStatistics: 'SHARE UPDATE EXCLUSIVE',
  AT_ClusterOn: 'SHARE UPDATE EXCLUSIVE',
  AT_DropCluster: 'SHARE UPDATE EXCLUSIVE',
  AT_SetRelOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_ResetRelOptions: 'SHARE UPDATE EXCLUSIVE',
  AT_AttachPartition: 'SHARE UPDATE EXCLUSIVE',
  AT_EnableTrig: 'SHARE ROW EXCLUSIVE',
  AT_DisableTrig: 'SHARE ROW EXCLUSIVE',
}

/** Modes ordered from the strongest (what a reader should see first). */
export const strongestFirst = (modes: readonly LockMode[]): LockMode[] =>
  [...modes].sort((a, b) => STRENGTH.indexOf(b) - STRENGTH.indexOf(a))
