// One command builds dist/: the action (index.js, post.js) and the CLI (cli.js) as ESM bundles for Node, split so
// that code loaded only on some paths (Octokit, for the pull-request comment) sits in its own chunk and costs no
// start-up time otherwise. esbuild's output is byte-identical on every run.
import { chmodSync, copyFileSync, readFileSync, rmSync } from 'node:fs'
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

// libpg-query (PostgreSQL's parser as WebAssembly) is Emscripten output written for CommonJS: it finds its .wasm
// beside itself through __dirname, which an ESM chunk has not. Its chunk gets a __dirname that is the chunk's own
// folder (the bundle's require resolves there), and the .wasm is copied into that folder below.
const pgQueryWasm = {
  name: 'pg-query-wasm',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /libpg-query[\\/]wasm[\\/]libpg-query\.js$/ }, (args) => ({
      contents: `var __dirname = require('node:path').dirname(require.resolve('./libpg-query.wasm'));\n${readFileSync(args.path, 'utf8')}`,
      loader: 'js',
    }))
  },
}

await build({
  // The dbchangelog XSDs, from a Liquibase distribution (scripts/liquibase-xsd.mjs), in a chunk of their own.
  plugins: [pureHttpClient, liquibaseSchemaPlugin, pgQueryWasm],
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

copyFileSync(
  new URL('../node_modules/libpg-query/wasm/libpg-query.wasm', import.meta.url),
  new URL('../dist/chunks/libpg-query.wasm', import.meta.url),
)

// The CLI is the package's bin: executable in the tree as git records it (mode 100755), so neither npm's bin linking
// nor a rebuild leaves a mode change behind.
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755)
