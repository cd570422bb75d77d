// One command builds dist/: the action (index.js, post.js) and the CLI (cli.js) as ESM bundles for Node, split so
// that code loaded only on some paths (Octokit, for the pull-request comment) sits in its own chunk and costs no
// start-up time otherwise. esbuild's output is byte-identical on every run.
import { chmodSync, readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'
import { liquibaseSchemaPlugin } from './liquibase-xsd.mjs'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true })
// @actions/core imports @actions/http-client (and with it undici, ~0.8 MB) only for getIDToken, which this action
// never calls. Marking http-client free of import-time side effects lets esbuild leave it out of the start-up
// path; Octokit's chunk, which does use it, still gets it.
const pureHttpClient = {
  name: 'pure-http-client',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@actions\/http-client$/ }, async (args) => {
      if (args.pluginData?.pure) return undefined
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { pure: true },
      })
      return { ...resolved, sideEffects: false }
    })
  },
}

await build({
  // The dbchangelog XSDs, from a Liquibase distribution (scripts/liquibase-xsd.mjs), in a chunk of their own.
  plugins: [pureHttpClient, liquibaseSchemaPlugin],
  entryPoints: { index: 'src/action/entry.ts', post: 'src/action/post-entry.ts', cli: 'src/cli/entry.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  define: { MIGRATION_IMAGE_VERSION: JSON.stringify(version) },
  // The CLI is run directly; some dependencies still call require(), which ESM bundles must create.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
  },
})

// The CLI is the package's bin: executable in the tree as git records it (mode 100755), so neither npm's bin linking
// nor a rebuild leaves a mode change behind.
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755)
