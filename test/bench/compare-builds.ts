/**
 * Two builds of the app side by side, one seeder, alternating rounds: download speed from a
 * WebRTC seeder and the page's main-thread task time per MiB downloaded (CDP Performance
 * metrics: TaskDuration). For a change that must not make the page slower (issue 14: "the
 * page's CPU per downloaded byte must not rise") when the full `npm run bench` is too long.
 * Run (in a loopback-only namespace, after `npm run build` and a build of the other tree):
 *   node --import tsx test/bench/compare-builds.ts NAME=DIST_DIR NAME=DIST_DIR [MiB] [rounds]
 */
import type { Browser } from '@playwright/test'
import { resolve } from 'node:path'
import { allowWebRtc, launchChromium } from '../support/browser'
import { spawnSeeder, type SeederProcess } from '../support/seeder-process'
import { startApp, type RunningApp } from '../e2e/harness'
import { askFilesOff } from './app-page'

const builds = process.argv.slice(2).filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string])
const [sizeArg, roundsArg] = process.argv.slice(2).filter((a) => !a.includes('='))
const SIZE_MIB = Number(sizeArg ?? 256)
const ROUNDS = Number(roundsArg ?? 3)

async function download(browser: Browser, app: RunningApp, seeder: SeederProcess): Promise<{ seconds: number; taskMsPerMiB: number; scriptMsPerMiB: number }> {
  const context = await browser.newContext()
  await allowWebRtc(context, new URL(app.url).origin)
  const page = await context.newPage()
  await page.goto(app.url)
  await page.getByText('No torrents yet').waitFor()
  await askFilesOff(page)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  const metric = async (name: string) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0
  await page.getByLabel('Magnet link, info hash or torrent URL').fill(seeder.info.magnetURI)
  const [task0, script0] = [await metric('TaskDuration'), await metric('ScriptDuration')]
  const start = Date.now()
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.getByTestId('state').filter({ hasText: /^Seeding$/ }).waitFor({ timeout: 10 * 60_000 })
  const seconds = (Date.now() - start) / 1000
  const [task1, script1] = [await metric('TaskDuration'), await metric('ScriptDuration')]
  await context.close()
  return { seconds, taskMsPerMiB: ((task1 - task0) * 1000) / SIZE_MIB, scriptMsPerMiB: ((script1 - script0) * 1000) / SIZE_MIB }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const seeder = await spawnSeeder({ name: 'compare builds', sizeMiB: SIZE_MIB, pieceLength: 256 * 1024 })
const browser = await launchChromium()
const apps = await Promise.all(builds.map(([, dir]) => startApp([seeder.info.wsUrl!], 0, ['--app-dir', resolve(dir)])))
const runs = new Map<string, { seconds: number; taskMsPerMiB: number; scriptMsPerMiB: number }[]>()
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...builds.keys()].reverse() : [...builds.keys()]
    for (const i of order) {
      const [name] = builds[i]!
      const run = await download(browser, apps[i]!, seeder)
      runs.set(name, [...(runs.get(name) ?? []), run])
      console.log(`round ${round + 1} ${name}: ${run.seconds.toFixed(1)} s, main-thread tasks ${run.taskMsPerMiB.toFixed(2)} ms/MiB, script ${run.scriptMsPerMiB.toFixed(2)} ms/MiB`)
    }
  }
} finally {
  await Promise.all(apps.map((app) => app.close()))
  await browser.close()
  await seeder.stop()
}
console.log(`\n${SIZE_MIB} MiB from a WebRTC seeder (256 KiB pieces), median of ${ROUNDS} rounds, alternating`)
console.log('| build | MB/s | main-thread task time per MiB | of which script |')
console.log('|---|---|---|---|')
for (const [name, list] of runs) {
  const seconds = median(list.map((r) => r.seconds))
  console.log(`| ${name} | ${((SIZE_MIB * 1024 * 1024) / seconds / 1e6).toFixed(1)} | ${median(list.map((r) => r.taskMsPerMiB)).toFixed(2)} ms | ${median(list.map((r) => r.scriptMsPerMiB)).toFixed(2)} ms |`)
}
