// The Playwright fixtures (test.extend) every spec is written with: Debian's Chromium, the real
// server (app and bridge, as `npm start` runs it), a local swarm or tracker, and real peers. What
// costs seconds to start (Chromium, the server, a seeder that writes and hashes its files) is
// started once per Playwright worker: one worker runs the specs one after the other, and starts
// afresh for a spec whose worker fixtures differ (its own swarmOptions or appOptions) or after a
// failure, so specs with the same set-up share one server and one Chromium (each test still gets
// fresh browser contexts). What a single test needs is started by it and stopped when it ends,
// passed or failed.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test as base, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test'
import { launchChromium } from '../support/browser'
import { startChromium, type ChromiumProcess } from '../support/chromium-process'
import { spawnCountingSeeder, type CountingSeeder } from '../support/counting-seeder'
import { startAria2Leecher, startAria2Seeder, type Aria2, type Aria2Options } from '../support/peers/aria2'
import { startDhtBootstrap, type DhtBootstrap } from '../support/peers/dht-bootstrap'
import { startNginx, type Nginx, type NginxOptions } from '../support/peers/nginx'
import { startQbittorrent, type Qbittorrent, type QbittorrentOptions } from '../support/peers/qbittorrent'
import { startMicrosocks, type SocksProxy } from '../support/peers/socks-proxy'
import { startTransmission, type Transmission, type TransmissionOptions } from '../support/peers/transmission'
import type { SeederProcessOptions } from '../support/seeder-process'
import { startTracker, type LocalTracker } from '../support/tracker'
import { openApp, startApp, startSwarm, type RunningApp, type Swarm } from './harness'

export { expect } from '@playwright/test'

/** A tracker URL where nothing listens: for servers of specs in which nothing downloads. */
export const NO_TRACKER = 'ws://127.0.0.1:9'

export interface AppOptions {
  /** The trackers the server names to the page. Default: NO_TRACKER. */
  trackers?: string[]
  /** More server flags, after startApp's loopback ones (so they win). */
  args?: string[]
}

export interface PageOptions extends BrowserContextOptions {
  /** The empty list's heading in the context's language (openApp). */
  ready?: string
  /** Runs on the new context before the app opens in it: init scripts, recorders. */
  prepare?: (context: BrowserContext) => Promise<unknown>
}

/** Real clients for one test; each is stopped by its PID when the test ends, passed or failed. */
export interface RealPeers {
  qbittorrent(options?: QbittorrentOptions): Promise<Qbittorrent>
  transmission(options?: TransmissionOptions): Promise<Transmission>
  aria2Seeder(options: Omit<Aria2Options, 'mode'>, timeoutMs?: number): Promise<Aria2>
  aria2Leecher(options: Omit<Aria2Options, 'mode'>): Promise<Aria2>
  /** A bittorrent-dht node on loopback for the others to bootstrap from. */
  dhtBootstrap(): Promise<DhtBootstrap>
  /** A SOCKS5 proxy. */
  microsocks(options: { bind: string; port?: number }): Promise<SocksProxy>
  nginx(options: NginxOptions): Promise<Nginx>
}

interface WorkerFixtures {
  /** Debian's Chromium with the project's flags (Playwright's own browser fixture, replaced). */
  browser: Browser
  /** How the worker's server is started (test.use({ appOptions }) in a spec). */
  appOptions: AppOptions
  /** The worker's server: the built app and its bridge, on loopback. */
  app: RunningApp
  /** A folder of the worker's own (saved files, profiles), removed when the worker ends. */
  tmpDir: string
}

interface TestFixtures {
  /** A new context of the worker's Chromium, for a test that opens its pages itself; closed after the test. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>
  /** Opens `app`'s page (openApp) in a new context (newContext) with `options`. */
  openPage(app: Pick<RunningApp, 'url'>, options?: PageOptions): Promise<Page>
  /** A server of the test's own (another port, other flags, restarted in the test). */
  serveApp(options?: AppOptions & { port?: number }): Promise<RunningApp>
  /** A swarm of the test's own: a seeder in a child process, with its WebSocket tracker unless given trackers. */
  newSwarm(options: SeederProcessOptions): Promise<Swarm>
  /** A seeder that also reports how many bytes it has uploaded. */
  countingSeeder(options: SeederProcessOptions): Promise<CountingSeeder>
  /** A local tracker (WebSocket, HTTP and UDP) of the test's own, besides the spec's. */
  newTracker(): Promise<LocalTracker>
  realPeers: RealPeers
  /**
   * Chromium started by hand on a persistent profile (`profileDir`), to be killed like a crash and
   * started again on it; each one started is closed and killed after the test.
   */
  profileChromium(profileDir: string): Promise<ChromiumProcess>
}

/** Runs `use` with a function that starts things; whatever it started is stopped afterwards, last first. */
async function stoppedAfter<A extends unknown[], T extends { stop(): Promise<void> }>(
  start: (...args: A) => Promise<T>,
  use: (start: (...args: A) => Promise<T>) => Promise<void>,
): Promise<void> {
  const started: T[] = []
  await use(async (...args) => {
    const thing = await start(...args)
    started.push(thing)
    return thing
  })
  for (const thing of started.reverse()) await thing.stop()
}

/** A spec where nothing needs a swarm: the server's trackers are NO_TRACKER unless appOptions say otherwise. */
export const test = base.extend<TestFixtures, WorkerFixtures>({
  browser: [async ({}, use) => {
    const browser = await launchChromium()
    await use(browser)
    await browser.close()
  }, { scope: 'worker', timeout: 60_000 }],
  appOptions: [{}, { scope: 'worker', option: true }],
  app: [async ({ appOptions }, use) => {
    const app = await startApp(appOptions.trackers ?? [NO_TRACKER], 0, appOptions.args ?? [])
    await use(app)
    await app.close()
  }, { scope: 'worker', timeout: 60_000 }],
  tmpDir: [async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'e2e-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  }, { scope: 'worker' }],

  newContext: async ({ browser }, use) => {
    const contexts: BrowserContext[] = []
    // A step the torrent lifecycle forbids is refused and logged by the engine (engine/download-manager/torrent-session.ts): a bug, so the test fails.
    const illegalTransitions: string[] = []
    await use(async (options) => {
      const context = await browser.newContext(options)
      context.on('console', (message) => {
        if (message.type() === 'error' && message.text().includes('illegal transition')) illegalTransitions.push(message.text())
      })
      contexts.push(context)
      return context
    })
    for (const context of contexts) await context.close() // nothing if the test closed it
    expect(illegalTransitions, 'illegal torrent state transitions the page logged').toEqual([])
  },
  openPage: async ({ newContext }, use) => {
    await use(async (app, { ready, prepare, ...options } = {}) => {
      const context = await newContext(options)
      await prepare?.(context)
      return openApp(context, app.url, ready)
    })
  },
  serveApp: async ({}, use) => {
    await stoppedAfter(async ({ trackers, args, port }: AppOptions & { port?: number } = {}) => {
      const app = await startApp(trackers ?? [NO_TRACKER], port ?? 0, args ?? [])
      return Object.assign(app, { stop: () => app.close() })
    }, use)
  },
  newSwarm: async ({}, use) => {
    await stoppedAfter(startSwarm, use)
  },
  countingSeeder: async ({}, use) => {
    await stoppedAfter(spawnCountingSeeder, use)
  },
  newTracker: async ({}, use) => {
    await stoppedAfter(async () => {
      const tracker = await startTracker()
      return Object.assign(tracker, { stop: () => tracker.close() })
    }, use)
  },
  realPeers: async ({}, use) => {
    const started: { stop(): Promise<void> }[] = []
    const stopped = <A extends unknown[], T extends { stop(): Promise<void> }>(start: (...args: A) => Promise<T>) => async (...args: A) => {
      const peer = await start(...args)
      started.push(peer)
      return peer
    }
    await use({
      qbittorrent: stopped(startQbittorrent),
      transmission: stopped(startTransmission),
      aria2Seeder: stopped(startAria2Seeder),
      aria2Leecher: stopped(startAria2Leecher),
      dhtBootstrap: stopped(() => startDhtBootstrap()),
      microsocks: stopped(startMicrosocks),
      nginx: stopped(startNginx),
    })
    for (const peer of started.reverse()) await peer.stop()
  },
  profileChromium: async ({}, use) => {
    const started: ChromiumProcess[] = []
    await use(async (profileDir) => {
      const chromium = await startChromium(profileDir)
      started.push(chromium)
      return chromium
    })
    for (const chromium of started.reverse()) {
      await chromium.browser.close().catch(() => {})
      await chromium.kill().catch(() => {}) // a test may have killed it already
    }
  },
})

/** A spec around one swarm (test.use({ swarmOptions })): its seeder started once, the worker's server pointed at its tracker. */
export const swarmTest = test.extend<object, { swarmOptions: SeederProcessOptions | undefined; swarm: Swarm }>({
  swarmOptions: [undefined, { scope: 'worker', option: true }],
  swarm: [async ({ swarmOptions }, use) => {
    if (!swarmOptions) throw new Error('a spec that uses `swarm` says which one: test.use({ swarmOptions })')
    const swarm = await startSwarm(swarmOptions)
    await use(swarm)
    await swarm.stop()
  }, { scope: 'worker', timeout: 180_000 }],
  app: [async ({ swarm, appOptions }, use) => {
    const app = await startApp([swarm.wsUrl], 0, appOptions.args ?? [])
    await use(app)
    await app.close()
  }, { scope: 'worker', timeout: 60_000 }],
})

/** A spec whose seeders and peers meet on one local tracker (WebSocket, HTTP and UDP), the worker's server pointed at it. */
export const trackerTest = test.extend<object, { tracker: LocalTracker }>({
  tracker: [async ({}, use) => {
    const tracker = await startTracker()
    await use(tracker)
    await tracker.close()
  }, { scope: 'worker' }],
  app: [async ({ tracker, appOptions }, use) => {
    const app = await startApp([tracker.wsUrl], 0, appOptions.args ?? [])
    await use(app)
    await app.close()
  }, { scope: 'worker', timeout: 60_000 }],
})
