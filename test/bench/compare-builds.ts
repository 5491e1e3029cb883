/**
 * Two builds of the app side by side, one seeder, alternating rounds: download speed from a
 * WebRTC seeder and the page's main-thread task time per MiB downloaded (CDP Performance
 * metrics: TaskDuration). For a change that must not make the page slower (issue 14: "the
 * page's CPU per downloaded byte must not rise") when the full `npm run bench` is too long.
 * Run (in a loopback-only namespace, after `npm run build` and a build of the other tree):
 *   node --import tsx test/bench/compare-builds.ts NAME=DIST_DIR NAME=DIST_DIR [MiB] [rounds]
 */
import type { Browser } from '@playwright/test'
import { allowWebRtc, launchChromium } from '../support/browser'
import { spawnSeeder, type SeederProcess } from '../support/seeder-process'
import type { RunningApp } from '../e2e/harness'
import { askFilesOff } from './app-page'
import { alternatingBuildsFromArgs, printMedianTable, runAlternatingBuilds, speedColumn } from './alternating-builds'

const args = alternatingBuildsFromArgs(process.argv.slice(2), { sizeMiB: 256, rounds: 3 })
const SIZE_MIB = args.sizeMiB

interface Run { seconds: number; taskMsPerMiB: number; scriptMsPerMiB: number }

async function download(browser: Browser, app: RunningApp, seeder: SeederProcess): Promise<Run> {
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

const seeder = await spawnSeeder({ name: 'compare builds', sizeMiB: SIZE_MIB, pieceLength: 256 * 1024 })
const browser = await launchChromium()
const runs = await runAlternatingBuilds(args, [seeder.info.wsUrl!], (app) => download(browser, app, seeder),
  (run) => `${run.seconds.toFixed(1)} s, main-thread tasks ${run.taskMsPerMiB.toFixed(2)} ms/MiB, script ${run.scriptMsPerMiB.toFixed(2)} ms/MiB`)
  .finally(async () => {
    await browser.close()
    await seeder.stop()
  })
printMedianTable(`${SIZE_MIB} MiB from a WebRTC seeder (256 KiB pieces), median of ${args.rounds} rounds, alternating`, runs, [
  speedColumn(SIZE_MIB),
  { header: 'main-thread task time per MiB', figure: (r) => r.taskMsPerMiB, format: (ms) => `${ms.toFixed(2)} ms` },
  { header: 'of which script', figure: (r) => r.scriptMsPerMiB, format: (ms) => `${ms.toFixed(2)} ms` },
])
