import { describe, expect, it } from 'vitest'
import { makeDir, runCli } from './helpers/tmp.js'

// A name the tool skips for a slip gets the file's own name, fixed, as the suggestion (through dist/cli.js).
describe('rename suggestions use the file’s own name', () => {
  it.each([
    [
      'flyway',
      { 'V1__a.sql': 'SELECT 1;', 'V3_add_index.sql': 'SELECT 1;' },
      'V3_add_index.sql',
      'rename it to V3__add_index.sql',
    ],
    [
      'golang-migrate',
      { '1_a.up.sql': 'SELECT 1;', '000003_orders_user_idx.sql': 'SELECT 1;' },
      '000003_orders_user_idx.sql',
      'rename it to 000003_orders_user_idx.up.sql (and its down file 000003_orders_user_idx.down.sql)',
    ],
  ])('%s: %s', (tool, files, file, fix) => {
    const ran = runCli(['validate', makeDir(files), '--tool', tool, '--json'])
    const json = JSON.parse(ran.stdout) as { notices: { file: string; fix?: string }[] }
    const notice = json.notices.find((problem) => problem.file.endsWith(`/${file}`))
    expect(notice?.fix).toContain(fix)
  })
})
