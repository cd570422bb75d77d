import type { Plugin } from 'esbuild'

export declare const VIRTUAL_ID: string
export declare const NEWEST: string
export declare function liquibaseSchemaModule(): string
export declare const liquibaseSchemaPlugin: Plugin
export declare const liquibaseSchemaVitePlugin: {
  name: string
  resolveId: (id: string) => string | undefined
  load: (id: string) => string | undefined
}
