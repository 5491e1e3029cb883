import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// One home per role (README "Architecture"): scripts/move-to-roles.mjs names each file family's
// role. Run as a dry run on this tree it must find nothing to move and no file that no rule names:
// a new file in a layer's root (src/core, src/engine, src/storage, src/workers, bridge) goes into
// its role's folder, or gets a rule.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

describe('the role layout', () => {
  it('every file of a layer is in its role folder, or named by a rule as staying at the root', () => {
    let output: string
    try {
      output = execFileSync(process.execPath, ['scripts/move-to-roles.mjs', '--dry-run'], { cwd: root, encoding: 'utf8' })
    } catch (err) {
      throw new Error(`move-to-roles.mjs failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`)
    }
    expect(output.trim()).toBe('0 files moved, 0 files rewritten (dry run)')
  })
})
