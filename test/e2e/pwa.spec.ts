// The installable app: manifest and installability, offline shell, share target (GET and POST),
// magnet: links, and "Reload to update" when a new service worker is waiting.
import { join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import { CHROMIUM_ARGS, CHROMIUM_PATH, allowWebRtc } from '../support/browser'
import { buildApp, controllerBuild, waitForController } from './pwa-helpers'
import { expectAccessible } from './a11y'
import { expect, swarmTest as test } from './fixtures'
import { SCREENSHOTS, addDialog, confirmAddDialog, expectNoCspViolations, type RunningApp } from './harness'

const NAME = 'Shared Fixture'
test.use({ swarmOptions: { name: NAME, sizeMiB: 4 } })

const item = (page: Page, name = NAME) => page.getByRole('listitem', { name })

test('installable: no installability errors, and the manifest has share target, protocol and file handlers', async ({ app, tmpDir }) => {
  // An ordinary (not incognito) profile: Chromium never offers to install from incognito.
  const context = await chromium.launchPersistentContext(join(tmpDir, 'install-profile'), { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
  // TRAP: a second page (context.newPage()) of a persistent context hung here; use the first.
  const page = context.pages()[0] ?? await context.newPage()
  await page.goto(app.url)
  await page.getByText('No torrents yet').waitFor()
  await waitForController(page)
  const cdp = await context.newCDPSession(page)
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
  expect(installabilityErrors).toEqual([])

  const { url, errors, data } = await cdp.send('Page.getAppManifest')
  expect(url).toBe(new URL('/manifest.webmanifest', app.url).href)
  expect(errors).toEqual([])
  const manifest = JSON.parse(data!) as Record<string, unknown>
  expect(manifest).toMatchObject({
    name: 'Torrent Web', short_name: 'Torrents', display: 'standalone', start_url: '/',
    share_target: { action: '/share', method: 'POST', enctype: 'multipart/form-data', params: { text: 'text', url: 'url' } },
    protocol_handlers: [{ protocol: 'magnet', url: '/?magnet=%s' }],
    file_handlers: [{ action: '/', accept: { 'application/x-bittorrent': ['.torrent'] } }],
    launch_handler: { client_mode: 'focus-existing' },
  })
  const icons = manifest.icons as { sizes: string; purpose: string; type: string }[]
  expect(icons).toEqual(expect.arrayContaining([
    expect.objectContaining({ sizes: '192x192', type: 'image/png' }),
    expect.objectContaining({ sizes: '512x512', type: 'image/png', purpose: 'any' }),
    expect.objectContaining({ sizes: '512x512', type: 'image/png', purpose: 'maskable' }),
  ]))
  // Chromium's own parse of the same manifest (the one an install uses). This Chromium's CDP
  // view has no fileHandlers member at all (checked with --enable-features=FileHandlingAPI too),
  // so file_handlers is checked in the raw manifest above and launchQueue in its own test.
  const parsed = await cdp.send('Page.getAppManifest') as unknown as { manifest?: Record<string, unknown> }
  expect(parsed.manifest).toMatchObject({
    display: 'kStandalone',
    shareTarget: expect.objectContaining({ action: new URL('/share', app.url).href, method: 'kPost' }),
    protocolHandlers: [{ protocol: 'magnet', url: new URL('/?magnet=%s', app.url).href }],
    launchHandler: { clientMode: 'kFocusExisting' },
  })
  await context.close()
})

test('offline: after a first visit, a reload without network shows the app and its list', async ({ app, swarm, openPage }) => {
  const page = await openPage(app)
  const context = page.context()
  await waitForController(page)
  await page.getByLabel('Open torrent file').setInputFiles({ name: 'shared.torrent', mimeType: 'application/x-bittorrent', buffer: swarm.torrentFile })
  await confirmAddDialog(page)
  await expect(item(page)).toBeVisible()
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Torrent Web' })).toBeVisible()
  await expect(page.getByLabel('Magnet link, info hash or torrent URL')).toBeVisible()
  // The stored torrent comes back from IndexedDB (persistence), offline as online.
  await expect(item(page)).toBeVisible()
  await page.screenshot({ path: `${SCREENSHOTS}/pwa-offline.png` })
  expectNoCspViolations(page) // the service worker, its precache and the workers, under the server's policy
})

test('share target GET: a magnet in `text` is added', async ({ app, swarm, openPage }) => {
  const page = await openPage(app)
  await waitForController(page)
  await page.goto(new URL(`/share?title=Look&text=${encodeURIComponent(`Have a look: ${swarm.magnetURI}`)}`, app.url).href)
  await expect(page).toHaveURL(new URL('/', app.url).href)
  await expect(item(page)).toBeVisible()
  // added as a typed magnet is: its files are asked for once its metadata is here
  await confirmAddDialog(page, { timeout: 30_000 })
  await expect(item(page).getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
})

test('share target GET before any service worker (first visit) still adds the magnet in `url`', async ({ app, swarm, newContext }) => {
  const page = await (await newContext({ serviceWorkers: 'block' })).newPage()
  await page.goto(new URL(`/share?url=${encodeURIComponent(swarm.magnetURI)}`, app.url).href)
  await expect(item(page)).toBeVisible()
})

test('share target POST: a multipart .torrent is added', async ({ app, swarm, openPage }) => {
  const page = await openPage(app)
  await waitForController(page)
  // What the OS share sheet does: a multipart POST of the form the manifest describes.
  await page.evaluate((bytes) => {
    const form = document.createElement('form')
    form.method = 'POST'
    form.action = '/share'
    form.enctype = 'multipart/form-data'
    const input = document.createElement('input')
    input.type = 'file'
    input.name = 'torrents'
    const transfer = new DataTransfer()
    transfer.items.add(new File([new Uint8Array(bytes)], 'shared.torrent', { type: 'application/x-bittorrent' }))
    input.files = transfer.files
    form.append(input)
    document.body.append(form)
    form.submit()
  }, [...swarm.torrentFile])
  await expect(page).toHaveURL(new URL('/', app.url).href)
  // several files: the add dialog first, as for a .torrent opened in the app
  await confirmAddDialog(page)
  await expect(item(page)).toBeVisible()
  await expect(item(page).getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
  // The inbox entry is consumed.
  expect(await page.evaluate(async () => (await (await caches.open('share-inbox')).keys()).length)).toBe(0)
  expectNoCspViolations(page)
})

test('magnet links: the button registers the handler, and /?magnet= adds the torrent', async ({ app, swarm, openPage }) => {
  const page = await openPage(app, {
    prepare: (context) => context.addInitScript(() => {
      const calls: unknown[][] = []
      ;(window as unknown as { protocolCalls: unknown[][] }).protocolCalls = calls
      navigator.registerProtocolHandler = (...args: unknown[]) => { calls.push(args) }
    }),
  })
  await page.getByRole('button', { name: 'Open magnet links with Torrent Web' }).click()
  await expect(page.getByText('Confirm in the browser’s prompt')).toBeVisible()
  const calls = await page.evaluate(() => (window as unknown as { protocolCalls: unknown[][] }).protocolCalls)
  expect(calls).toEqual([['magnet', `${new URL(app.url).origin}/?magnet=%s`]])

  await page.goto(new URL(`/?magnet=${encodeURIComponent(swarm.magnetURI)}`, app.url).href)
  await expect(item(page)).toBeVisible()
  await expect(page).toHaveURL(new URL('/', app.url).href)
  // a magnet of several files, launched: once its metadata is here the add dialog asks, as for a typed one
  await expect(addDialog(page)).toBeVisible({ timeout: 30_000 })
  await expect(addDialog(page).locator('#add-name')).toHaveText(swarm.name)
  await expect(item(page).getByTestId('state')).toHaveText('Waiting for you to choose files')
  await confirmAddDialog(page)
  await expect(item(page).getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(?!0$)\d/, { timeout: 60_000 })
  // A broken one says what is wrong.
  await page.goto(new URL(`/?magnet=${encodeURIComponent('magnet:?xt=urn:btih:nope')}`, app.url).href)
  await expect(page.getByRole('alert')).toBeVisible()
})

test('file handler: a .torrent handed over by launchQueue is added', async ({ app, swarm, newContext }) => {
  const context = await newContext()
  // What the OS does when the installed app opens a .torrent: a launch with a file handle.
  // (A tab has no launch; the consumer gets a real FileSystemFileHandle, from OPFS.)
  await context.addInitScript((bytes) => {
    // Chromium has its own window.launchQueue (a getter): shadow it on the window itself.
    Object.defineProperty(window, 'launchQueue', { configurable: true, value: {
      setConsumer(consumer: (params: { targetURL: string; files: FileSystemFileHandle[] }) => void) {
        void (async () => {
          const root = await navigator.storage.getDirectory()
          const handle = await root.getFileHandle('launched.torrent', { create: true })
          const writable = await handle.createWritable()
          await writable.write(new Uint8Array(bytes))
          await writable.close()
          consumer({ targetURL: location.href, files: [handle] })
        })()
      },
    } })
  }, [...swarm.torrentFile])
  const page = await context.newPage()
  await allowWebRtc(context, new URL(app.url).origin)
  await page.goto(app.url)
  // several files: the add dialog first, as for a .torrent opened in the app
  await confirmAddDialog(page)
  await expect(item(page)).toBeVisible()
})

test('a new service worker build shows "Reload to update", and taking it switches versions', async ({ swarm, serveApp, openPage, tmpDir }) => {
  const dirB = join(tmpDir, 'release-b')
  buildApp(dirB, 'release-b')
  // One origin, two releases: serve the first build, then the second on the same port.
  const serve = (port: string, appDir: string) => serveApp({ trackers: [swarm.wsUrl], port: Number(port), args: ['--app-dir', appDir] })
  let server: RunningApp | undefined
  for (const [scheme, viewport] of [['light', { width: 1000, height: 700 }], ['dark', { width: 360, height: 740 }]] as const) {
    server = await serve(server ? new URL(server.url).port : '0', 'dist')
    const page = await openPage(server, { colorScheme: scheme, viewport })
    await waitForController(page)
    const before = await controllerBuild(page)
    expect(before).not.toBe('release-b')
    await server.close()
    server = await serve(new URL(server.url).port, dirB)
    await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())!.update() })
    const reload = page.getByRole('button', { name: 'Reload to update' })
    await expect(reload).toBeVisible()
    // Nothing changed under the user: the old worker still controls the page.
    expect(await controllerBuild(page)).toBe(before)
    await page.screenshot({ path: `${SCREENSHOTS}/pwa-update-${scheme}${viewport.width < 400 ? '-phone' : ''}.png` })
    if (scheme === 'light' && viewport.width >= 400) await expectAccessible(page, 'update prompt')
    if (scheme === 'dark') {
      // "Later" puts it off: the old version stays until the user reloads or every tab closes.
      await page.getByRole('button', { name: 'Later' }).click()
      await expect(reload).toHaveCount(0)
    } else {
      await Promise.all([page.waitForEvent('load'), reload.click()])
      await expect(page.getByText('No torrents yet')).toBeVisible()
      expect(await controllerBuild(page)).toBe('release-b')
    }
    await page.context().close()
    await server.close()
  }
})
