import { toolRules } from '../problems.js'

/** Liquibase's rules, each with its stable code (`liquibase/<rule>`). */
export const RULE = toolRules('liquibase', {
  noChangelog: 'no-changelog',
  parseError: 'parse-error',
  xmlSchema: 'xml-schema',
  parseWarning: 'parse-warning',
  includeTwice: 'include-twice',
  includeAgainLogicalPath: 'include-again-logical-path',
  includeOutside: 'include-outside',
  includeMissing: 'include-missing',
  includeMissingOptional: 'include-missing-optional',
  includeUnknownType: 'include-unknown-type',
  includeAllEmpty: 'include-all-empty',
  includeAllEmptyOptional: 'include-all-empty-optional',
  includeAllUnknownType: 'include-all-unknown-type',
  changesetWithoutId: 'changeset-without-id',
  changesetDuplicate: 'changeset-duplicate',
  propertyInPath: 'property-in-path',
  sqlFileMissing: 'sql-file-missing',
  propertiesMissing: 'properties-missing',
  propertiesMissingOptional: 'properties-missing-optional',
})

export type LiquibaseRule = (typeof RULE)[keyof typeof RULE]
