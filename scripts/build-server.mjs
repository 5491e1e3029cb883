// Compiles the server (bridge/main.ts with everything it imports, dependencies included) into one
// plain-JS file run by plain `node`: no TypeScript loader at run time (tsx alone cost ~30 MB of
// RSS), and one bundled file loads in ~20 MB less than ~100 separate node_modules files.
//   node scripts/build-server.mjs [--if-stale]
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT_DIR = 'dist-server'
export const SERVER_MAIN = `${OUT_DIR}/main.js`
/** Our own source files the last build read, for the staleness check. */
const SOURCES = `${OUT_DIR}/sources.json`
// npm keeps the packages' own (old) mtimes, so a changed dependency shows in the lock file instead.
const ALWAYS = ['scripts/build-server.mjs', 'package.json', 'package-lock.json']

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : Infinity // a file gone: rebuild
}

/** True when dist-server is missing or older than a source it was built from. */
export function serverIsStale(root = ROOT) {
  const built = join(root, SERVER_MAIN)
  if (!existsSync(built) || !existsSync(join(root, SOURCES))) return true
  const sources = [...ALWAYS, ...JSON.parse(readFileSync(join(root, SOURCES), 'utf8'))]
  const builtAt = statSync(built).mtimeMs
  return sources.some((path) => mtime(join(root, path)) > builtAt)
}

export async function buildServer(root = ROOT) {
  const { build } = await import('vite')
  const output = await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    ssr: { target: 'node', noExternal: true },
    build: {
      ssr: 'bridge/main.ts',
      outDir: OUT_DIR,
      emptyOutDir: true,
      target: 'node20',
      minify: false, // readable stack traces without source maps
      // ws's native helpers load from node_modules at run time (through the require below), as
      // unbundled; bundled, they would look for their binary next to dist-server/main.js
      commonjsOptions: { ignore: ['bufferutil', 'utf-8-validate'] },
      rollupOptions: {
        output: {
          entryFileNames: 'main.js',
          inlineDynamicImports: true,
          // bundled CommonJS packages still call require() for optional parts (debug's
          // supports-color, ws's bufferutil): give them Node's, as they had unbundled
          banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        },
      },
    },
  })
  const ours = output.output.flatMap((chunk) => (chunk.type === 'chunk' ? Object.keys(chunk.modules) : []))
    .filter((id) => !id.includes('/node_modules/') && !id.startsWith('\0'))
    .map((id) => relative(root, id.split('?')[0]))
    .filter((path) => !path.startsWith('..'))
  writeFileSync(join(root, SOURCES), JSON.stringify(ours, null, 1))
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (!process.argv.includes('--if-stale') || serverIsStale()) await buildServer()
}
