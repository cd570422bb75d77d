// One command builds dist/: the action (index.js, post.js) and the CLI (cli.js) as ESM bundles for Node, split so
// that code loaded only on some paths (Octokit, for the pull-request comment) sits in its own chunk and costs no
// start-up time otherwise. esbuild's output is byte-identical on every run.
import { readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true })
await build({
  entryPoints: { index: 'src/index.ts', post: 'src/post-entry.ts', cli: 'src/cli-entry.ts' },
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
