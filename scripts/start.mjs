// npm start: build the app and the server when their sources are newer than the last build, then
// run the compiled server in this very process (plain node: no TypeScript loader, no second process).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SERVER_MAIN, serverIsStale } from './build-server.mjs'

const SOURCES = ['src', 'sw', 'public', 'index.html', 'vite.config.ts', 'package.json']
const STAMP = 'dist/index.html'

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
}

/** Builds run as child processes, so that vite's memory is not the server's. */
function run(what, args) {
  console.log(`Building the ${what}…`)
  const build = spawnSync(process.execPath, args, { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}

const argv = process.argv.slice(2)
if (!argv.some((arg) => arg === '--app-dir' || arg.startsWith('--app-dir=')) && (!existsSync(STAMP) || Math.max(...SOURCES.map(newestMtime)) > statSync(STAMP).mtimeMs)) {
  run('app', ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'])
}
if (serverIsStale()) run('server', ['scripts/build-server.mjs'])

// the server reads process.argv.slice(2), which is still ours
await import(pathToFileURL(SERVER_MAIN).href)
