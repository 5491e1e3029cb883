import { spawnSync } from 'node:child_process'

/** Build the app and the server once; every test serves that build through the compiled server. */
export default function globalSetup(): void {
  const app = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
  if (app.status !== 0) throw new Error('vite build failed')
  const server = spawnSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' })
  if (server.status !== 0) throw new Error('building the server (scripts/build-server.mjs) failed')
}
