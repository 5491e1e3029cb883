import { spawnSync } from 'node:child_process'

/** Build the app once; every test serves that build through the real server. */
export default function globalSetup(): void {
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
  if (build.status !== 0) throw new Error('vite build failed')
}
