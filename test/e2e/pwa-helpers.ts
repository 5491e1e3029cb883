// Helpers for the PWA tests: service-worker control, a second build, and a served copy of it.
import { spawnSync } from 'node:child_process'
import type { Page } from '@playwright/test'
import { REPO_ROOT } from '../support/seeder-process'

/** Waits until a service worker controls the page (the first install claims it). */
export async function waitForController(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (navigator.serviceWorker.controller) return
    await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }))
  })
}

/** The build id (APP_BUILD_ID at build time) of the service worker that controls the page. */
export function controllerBuild(page: Page): Promise<string> {
  return page.evaluate(() => new Promise<string>((resolve, reject) => {
    const controller = navigator.serviceWorker.controller
    if (!controller) return reject(new Error('no controller'))
    const channel = new MessageChannel()
    channel.port1.onmessage = (event) => resolve((event.data as { build: string }).build)
    controller.postMessage({ type: 'get-version' }, [channel.port2])
  }))
}

/** `vite build` into `outDir` with APP_BUILD_ID=`buildId`: a new release of the app. */
export function buildApp(outDir: string, buildId: string): void {
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], {
    cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, APP_BUILD_ID: buildId },
  })
  if (result.status !== 0) throw new Error('vite build failed')
}
