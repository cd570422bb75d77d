// Preloaded into a dist/ process (NODE_OPTIONS=--import) by the link-swap tests: the first time the process opens
// a path ending in MI_SWAP_ON (after the directory was listed), MI_SWAP_DIR is renamed away and a link to
// MI_SWAP_TO put in its place, then the open goes on. It is the race "a sub-directory swapped for a link between
// the listing and the open", made to happen every time. The product's code is not touched: only fs.openSync is
// wrapped, and the ESM bindings of node:fs are re-synced so the bundle sees the wrapper.
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

const suffix = process.env.MI_SWAP_ON
const dir = process.env.MI_SWAP_DIR
const to = process.env.MI_SWAP_TO
if (suffix && dir && to) {
  const open = fs.openSync
  let done = false
  fs.openSync = function openSync(file, ...rest) {
    if (!done && typeof file === 'string' && file.endsWith(suffix)) {
      done = true
      fs.renameSync(dir, `${dir}.listed`)
      fs.symlinkSync(to, dir)
    }
    return open.call(this, file, ...rest)
  }
  syncBuiltinESMExports()
}
