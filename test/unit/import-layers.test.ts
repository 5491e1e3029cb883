import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser'
import { afterAll, describe, expect, it } from 'vitest'

// The rules, with the layers they keep, are in .dependency-cruiser.cjs (also `npx depcruise src sw bridge --config`).
const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as IConfiguration

/** `rule name: from → to` for every import that breaks a rule, under `baseDir`. */
async function violations(baseDir: string, folders: string[]): Promise<string[]> {
  const result = await cruise(folders, {
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
  }, { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] })
  const output = result.output as ICruiseResult
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
}

describe('the import layers', () => {
  it('the app, the service worker and the bridge import nothing "up"', async () => {
    expect(await violations(root, ['src', 'sw', 'bridge'])).toEqual([])
  }, 120_000)

  // The check itself: each kind of import the rules exist for, in a tree of its own, is caught.
  const fixture = mkdtempSync(join(tmpdir(), 'import-layers-'))
  afterAll(() => rmSync(fixture, { recursive: true, force: true }))
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true })
    writeFileSync(join(fixture, path), text)
  }
  for (const folder of ['core', 'protocol', 'storage', 'engine', 'ui', 'pwa', 'prefs']) write(`src/${folder}/leaf.ts`, 'export const leaf = 1\n')
  const cases: [string, string, string][] = [
    ['src/core/bad.ts', '../engine/leaf', 'core-imports-only-core-and-protocol'],
    ['src/protocol/bad.ts', '../core/leaf', 'protocol-imports-only-itself'],
    ['src/storage/bad.ts', '../engine/leaf', 'storage-imports-down'],
    ['src/pwa/bad.ts', '../ui/leaf', 'pwa-does-not-import-ui'],
    ['src/engine/bad.ts', '../ui/leaf', 'engine-does-not-import-ui'],
    ['src/prefs/bad.ts', '../storage/leaf', 'prefs-imports-down'],
  ]
  for (const [file, target] of cases) write(file, `import { leaf } from '${target}'\nexport const bad = leaf\n`)

  it('each forbidden kind of import is caught, and nothing else', async () => {
    const found = await violations(fixture, ['src'])
    expect(found.sort()).toEqual(cases.map(([file, target, rule]) => `${rule}: ${file} → ${join(dirname(file), target)}.ts`).sort())
  }, 60_000)
})
