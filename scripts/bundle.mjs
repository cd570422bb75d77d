// One command builds dist/: the action entry and the CLI, as ESM bundles for Node (byte-identical on every run).
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  define: { MIGRATION_IMAGE_VERSION: JSON.stringify(version) },
}
// Some dependencies still call require(); ESM bundles need it created.
const requireShim =
  "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);"

await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', banner: { js: requireShim } }),
  build({ ...common, entryPoints: ['src/post-entry.ts'], outfile: 'dist/post.js', banner: { js: requireShim } }),
  build({
    ...common,
    entryPoints: ['src/cli-entry.ts'],
    outfile: 'dist/cli.js',
    banner: { js: `#!/usr/bin/env node\n${requireShim}` },
  }),
])
