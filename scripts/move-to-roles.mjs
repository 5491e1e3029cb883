#!/usr/bin/env node
/**
 * Moves the code into one home per role (issue 14, point 4): inside each layer folder (src/core,
 * src/engine, src/storage, src/workers, bridge), one subfolder per role, with the role's name, the
 * same name in every layer. The import layers are folders and stay as they are, so the
 * dependency-cruiser rules (folder prefixes) keep holding.
 *
 * Re-runnable on a tree that others changed: the rules are globs per file family, so a file split
 * off `torrent-runner.ts` as `torrent-runner-limits.ts` follows it; running twice changes nothing
 * (a rule only matches files directly in the old folder, and a specifier is rewritten only when its
 * importer or its target moved). Every move is a `git mv` (untracked files are renamed), so history
 * follows. Specifiers are rewritten by resolving them (old importer + specifier → old target file →
 * its new place → a relative specifier from the importer's new place), never by replacing names;
 * repository paths mentioned in comments, docs and configs (`src/engine/manager.ts`, and the
 * layer-relative `engine/manager.ts`) are rewritten to the new paths.
 *
 * At the end it lists every .ts file still directly in a dissolved folder that no rule names, and
 * exits 1 if there is one: add a rule (a role, or ROOT for a cross-cutting helper) and run it again.
 *
 *   node scripts/move-to-roles.mjs            move and rewrite
 *   node scripts/move-to-roles.mjs --dry-run  print the moves and the files it would rewrite
 *
 * Plain Node, no dependencies: it runs before `npm install` as well as after.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dryRun = process.argv.includes('--dry-run')

/** Stays where it is: a cross-cutting helper at its layer's root. */
const ROOT = null

/** The layer folders whose direct .ts files each belong to a role (or stay, by a ROOT rule). */
const DISSOLVED = ['src/core', 'src/engine', 'src/storage', 'src/workers', 'bridge']

/**
 * old path glob → new folder (ROOT: stays). `*` matches within one path segment; a glob ending in
 * `/**` moves a whole folder, keeping what is below it. First match wins.
 */
const RULES = [
  // ── src/core: pure logic ──
  ...family('src/core', 'torrent-parser', ['add-input', 'bencode', 'fields', 'magnet', 'metainfo', 'metainfo-limits', 'metainfo-v2', 'sanitize', 'urls', 'torrent-with-layers']),
  ...family('src/core', 'download-manager', ['queue', 'torrent-lifecycle', 'stall', 'eta', 'progress', 'snapshot-delta', 'speed-limits', 'list-filter']),
  ...family('src/core', 'piece-selection', ['selection', 'availability', 'file-tree']),
  ...family('src/core', 'peer-discovery', ['pex', 'lsd-message', 'magnet-peers']),
  ...family('src/core', 'tracker-communication', ['announce-schedule', 'tracker-response', 'tracker-list']),
  ...family('src/core', 'peer-connection', ['backoff', 'dial-refusal', 'duplicate-peer', 'peer-handshake', 'peer-client', 'message-boundaries', 'seed-wire', 'web-seed-ranges', 'range-response', 'nat-pmp', 'hash-messages', 'piece-layer-fetch']),
  // The page↔bridge link's frames: the bridge's front door, both ends.
  ...family('src/core', 'api-gateway', ['bridge-codec', 'bridge-frame', 'bridge-wire', 'frame-reader', 'frame-writer']),
  ...family('src/core', 'file-storage', ['bitfield', 'pieces', 'v2-pieces', 'merkle', 'merkle-proof', 'sha256-pair', 'buffer-pool']),
  ...family('src/core', 'file-assembly', ['create-torrent', 'create-file-plan', 'torrent-hasher']),
  // Cross-cutting: bytes and text, the one RPC, the one door for peer addresses (house rule's path).
  ...family('src/core', ROOT, ['bytes', 'format', 'ip-bytes', 'peer-address', 'rpc-client', 'rpc-server', 'prometheus-text']),

  // ── src/engine: the page's engine around webtorrent ──
  { from: 'src/engine/webtorrent/**', to: ROOT }, // the one door to webtorrent's internals stays one folder
  ...family('src/engine', 'download-manager', ['engine', 'manager', 'torrent-runner', 'torrent-session', 'snapshot', 'persistence', 'remote-engine', 'add-flow', 'add-source', 'file-choice', 'quota-watch', 'v2-torrent', 'v2-runner-host', 'fast-resume', 'torrent-completion', 'torrent-trackers', 'run-counters', 'torrent-controls', 'torrent-files', 'torrent-views', 'full-disk']),
  ...family('src/engine', 'torrent-parser', ['parse-service', 'fetch-torrent']),
  ...family('src/engine', 'peer-connection', ['peers', 'peer-list', 'duplicate-wires', 'bridge-link', 'diagnostics', 'seed-to-seed', 'web-seed', 'v2-hash-exchange', 'v2-layer']),
  ...family('src/engine', 'peer-discovery', ['discovery', 'pex-swarm', 'ut-pex']),
  ...family('src/engine', 'piece-selection', ['playback-stream']),
  ...family('src/engine', 'file-assembly', ['opfs-file', 'save-flow', 'create-service']),

  // ── src/storage: OPFS ──
  ...family('src/storage', 'file-storage', ['held-pieces', 'opfs-chunk-store', 'storage-client']),
  ...family('src/storage', 'file-assembly', ['save', 'save-entry']),

  // ── src/workers: one realm, each worker with its role ──
  { from: 'src/workers/storage*.worker.ts', to: 'src/workers/file-storage' },
  { from: 'src/workers/parse*.worker.ts', to: 'src/workers/torrent-parser' },
  { from: 'src/workers/create*.worker.ts', to: 'src/workers/file-assembly' },

  // ── bridge: Node ──
  ...family('bridge', 'api-gateway', ['server', 'bridge-hub', 'page-session', 'policy', 'checked-address', 'limits', 'announce-gate', 'request-slots', 'security-headers', 'frame-pool']),
  ...family('bridge', 'peer-connection', ['page-streams', 'relay-stream', 'peer-dialer', 'peer-listener', 'shared-reads', 'outgoing', 'socks', 'proxy-url', 'route-health', 'route-probe', 'web-seed']),
  { from: 'bridge/mse/**', to: 'bridge/peer-connection/mse' },
  { from: 'bridge/port-mapping/**', to: 'bridge/peer-connection/port-mapping' },
  ...family('bridge', 'tracker-communication', ['tracker']),
  ...family('bridge', 'dht', ['dht']),
  ...family('bridge', 'peer-discovery', ['page-torrents', 'torrent-routing', 'peer-batches', 'lsd', 'local-network']),
  // The process: entry point, options, log, metrics, what pages see of its connectivity.
  ...family('bridge', ROOT, ['main', 'options', 'log', 'metrics', 'connectivity']),
]

/**
 * One rule per file family: `name.ts`, `name-*.ts` (files split off it) and `name.*.ts`. A family
 * name matches itself and its splits, not a longer name (`socks` matches `socks-tcp.ts`).
 */
function family(layer, role, names) {
  const to = role === ROOT ? ROOT : `${layer}/${role}`
  return names.flatMap((n) => [`${n}.ts`, `${n}-*.ts`, `${n}.*.ts`, `${n}s.ts`].map((f) => ({ from: `${layer}/${f}`, to })))
}

function globToRegExp(glob) {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (glob.startsWith('/**', i) && i + 3 === glob.length) { re += '(/.+)'; i += 2 } else if (c === '*') re += '[^/]*'
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}
// The most specific rule first, whatever the order above: a file's own name (`magnet-peers.ts`)
// before a family's wildcard (`magnet-*.ts`), a longer literal prefix before a shorter one.
const literal = (g) => g.split('*')[0].length
const compiled = RULES.map((r) => ({ ...r, re: globToRegExp(r.from), dirRule: r.from.endsWith('/**') }))
  .sort((a, b) => Number(a.from.includes('*')) - Number(b.from.includes('*')) || literal(b.from) - literal(a.from))

/** The rule for a path: { to } or undefined. */
function ruleFor(path) {
  for (const r of compiled) {
    const m = r.re.exec(path)
    if (!m) continue
    if (r.to === ROOT) return { to: path }
    if (r.dirRule) return { to: r.to + m[1] }
    return { to: `${r.to}/${posix.basename(path)}` }
  }
  return undefined
}

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 })
const tracked = new Set(git('ls-files', '-z').split('\0').filter(Boolean))
const untracked = git('ls-files', '-z', '--others', '--exclude-standard').split('\0').filter(Boolean)
const allFiles = [...tracked, ...untracked].filter((f) => existsSync(join(root, f)))

// ── the moves ──
const moves = new Map()
const unnamed = []
for (const f of allFiles) {
  const r = ruleFor(f)
  if (r && r.to !== f) moves.set(f, r.to)
  if (!r && f.endsWith('.ts') && DISSOLVED.includes(posix.dirname(f))) unnamed.push(f)
}
for (const [from, to] of moves) {
  if (existsSync(join(root, to))) { console.error(`refusing: ${from} → ${to}, which exists`); process.exit(2) }
}
const newPath = (p) => moves.get(p) ?? p

// ── the files whose text may name a path ──
const TEXT_ROOTS = ['src', 'sw', 'bridge', 'test', 'scripts', 'docs', '.ci']
const ROOT_FILES = ['vite.config.ts', 'vitest.config.ts', 'playwright.config.ts', '.dependency-cruiser.cjs', 'package.json', 'README.md', 'index.html']
const TEXT_EXT = /\.(ts|mts|cts|mjs|cjs|js|json|md|sh|html|txt)$|^\.ci\/run$/
const isText = (f) => (TEXT_ROOTS.some((d) => f.startsWith(`${d}/`)) || ROOT_FILES.includes(f) || /^tsconfig.*\.json$/.test(f)) &&
  TEXT_EXT.test(f) && !f.startsWith('src/i18n/locales/') && f !== 'scripts/move-to-roles.mjs'
const CODE_EXT = /\.(ts|mts|cts|mjs|cjs|js)$/

const isFile = (p) => { try { return statSync(join(root, p)).isFile() } catch { return false } }

/** Resolves `spec` from `fromDir` in the old tree: [target path, how the specifier spells its end] or undefined. */
function resolveSpec(fromDir, spec) {
  const base = posix.normalize(posix.join(fromDir, spec))
  if (base.startsWith('..')) return undefined
  const tries = [
    [base, 'exact'], [`${base}.ts`, 'no-ext'], [`${base}.d.ts`, 'no-ext-d'], [`${base}.mjs`, 'no-ext-mjs'], [`${base}.js`, 'no-ext-js'],
    [`${base}/index.ts`, 'index'], [base.replace(/\.js$/, '.ts'), 'js-for-ts'],
  ]
  for (const [p, how] of tries) if (isFile(p)) return [p, how]
  return undefined
}

/** The specifier for `target` (new tree) from a file in `fromDir` (new tree), spelt as before. */
function specFor(fromDir, target, how) {
  let t = target
  if (how === 'no-ext') t = t.replace(/\.ts$/, '')
  else if (how === 'no-ext-d') t = t.replace(/\.d\.ts$/, '')
  else if (how === 'no-ext-mjs') t = t.replace(/\.mjs$/, '')
  else if (how === 'no-ext-js') t = t.replace(/\.js$/, '')
  else if (how === 'index') t = posix.dirname(t)
  else if (how === 'js-for-ts') t = t.replace(/\.ts$/, '.js')
  let rel = posix.relative(fromDir, t)
  if (!rel.startsWith('.')) rel = `./${rel}`
  return rel
}

/** Rewrites one specifier of the file at old path `p` (new path `np`), or returns it as it was. */
function rewriteSpec(p, np, spec, mustBeRelative) {
  if (mustBeRelative && !/^\.\.?\//.test(spec)) return spec
  const [path, query] = spec.split(/(?=[?#])/, 2)
  const found = resolveSpec(posix.dirname(p), path)
  if (!found) return spec
  const [target, how] = found
  const nt = newPath(target)
  if (nt === target && np === p) return spec
  let out = specFor(posix.dirname(np), nt, how)
  if (!mustBeRelative && !/^\.\.?\//.test(path)) out = out.replace(/^\.\//, '') // a markdown link spelt without ./
  return out + (query ?? '')
}

const SPEC_PATTERNS = [
  /(\bfrom\s*|\bimport\s*|\bimport\(\s*|\brequire\(\s*|\bvi\.mock\(\s*|\bnew URL\(\s*|\bnew Worker\(\s*)(['"])([^'"\n]+)\2/g,
  /(\/\/\/\s*<reference\s+path=)(['"])([^'"\n]+)\2/g,
]

// Paths mentioned in prose, configs and comments: the full path, and the layer-relative form
// (`engine/manager.ts` for src/engine/manager.ts), longest first so a longer name wins.
const mentions = []
for (const [from, to] of moves) {
  mentions.push([from, to])
  if (from.startsWith('src/')) mentions.push([from.slice(4), to.slice(4)])
}
for (const r of compiled) {
  if (r.dirRule && r.to !== ROOT && [...moves.keys()].some((f) => r.re.test(f))) {
    const dir = r.from.slice(0, -3)
    mentions.push([`${dir}/`, `${r.to}/`], [dir, r.to])
  }
}
mentions.sort((a, b) => b[0].length - a[0].length)
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const mentionRe = mentions.length ? new RegExp(`(?<![\\w./@-])(${mentions.map(([f]) => escape(f)).join('|')})(?![\\w-])`, 'g') : null
const mentionMap = new Map(mentions)

function rewriteText(p, text) {
  const np = newPath(p)
  let out = text
  if (CODE_EXT.test(p)) {
    for (const re of SPEC_PATTERNS) out = out.replace(re, (m, lead, q, spec) => `${lead}${q}${rewriteSpec(p, np, spec, true)}${q}`)
  }
  if (p.endsWith('.md')) {
    out = out.replace(/(\]\()([^)\s#]+)(\))/g, (m, a, spec, b) => (/^[a-z]+:/.test(spec) ? m : `${a}${rewriteSpec(p, np, spec, false)}${b}`))
  }
  if (mentionRe) out = out.replace(mentionRe, (m) => mentionMap.get(m) ?? m)
  return out
}

const rewrites = new Map()
for (const f of allFiles) {
  if (!isText(f)) continue
  const text = readFileSync(join(root, f), 'utf8')
  const out = rewriteText(f, text)
  if (out !== text) rewrites.set(f, out)
}

// ── apply ──
if (dryRun) {
  for (const [from, to] of moves) console.log(`move ${from} → ${to}`)
  for (const f of rewrites.keys()) console.log(`rewrite ${f}`)
} else {
  for (const [from, to] of moves) {
    mkdirSync(join(root, posix.dirname(to)), { recursive: true })
    if (tracked.has(from)) git('mv', from, to)
    else renameSync(join(root, from), join(root, to))
  }
  for (const [f, text] of rewrites) writeFileSync(join(root, newPath(f)), text)
}
console.log(`${moves.size} files moved, ${rewrites.size} files rewritten${dryRun ? ' (dry run)' : ''}`)

if (unnamed.length) {
  console.log('\nNo rule names these files (add one to RULES, a role or ROOT, and run again):')
  for (const f of unnamed) console.log(`  ${f}`)
  process.exit(1)
}
