import { Engine } from './engine/download-manager/engine'
import { hostEngine } from './engine/download-manager/engine-host'
import { Persistence } from './engine/download-manager/persistence'
import { RemoteEngine } from './engine/download-manager/remote-engine'
import { openTorrentDb } from './prefs/db'
import { startPwa, startServiceWorker } from './pwa'
import { loadSettings } from './prefs/settings'
import { ENGINE_LOCK } from './protocol/tab-messages'
import { loadRuntimeConfig } from './runtime-config'
import { StorageClient } from './storage/file-storage/storage-client'
import './ui/bt-app'
import type { BtApp } from './ui/bt-app'
import { applyLanguage, applyStartLanguage } from './ui/language'
import { mountPwaElements } from './ui/pwa-elements'
import { applyTheme } from './ui/theme'

// Before the first render (a microtask away): the language this browser chose last, or its own.
applyStartLanguage()
const app = document.querySelector('bt-app') as unknown as BtApp
// The browser's languages changed: 'auto' follows them.
addEventListener('languagechange', () => applyLanguage(app.settings?.language ?? 'auto'))
// PWA (issue 5): its own elements beside <bt-app>; the service worker starts before the engine.
const pwa = mountPwaElements()
startServiceWorker(pwa)

/** This tab runs the engine: webtorrent, the storage worker, persistence. */
async function runEngine(): Promise<void> {
  const [config, db] = await Promise.all([loadRuntimeConfig(), openTorrentDb()])
  const settings = await loadSettings(db)
  applyTheme(settings.theme)
  applyLanguage(settings.language)
  // The user's ICE servers replace the server's; WebRTC reads them when the client starts.
  const engineConfig = settings.iceServers.length ? { ...config, iceServers: [{ urls: settings.iceServers }] } : config
  const engine = new Engine(engineConfig, new StorageClient(), new Persistence(db), settings.bridgeToken)
  engine.applySettings(settings)
  // Resume data is written as pieces verify; pagehide writes what is still pending.
  addEventListener('pagehide', () => void engine.flush())
  hostEngine(engine)
  document.documentElement.dataset.engine = 'here'
  Object.assign(app, { config, db, settings, engine })
  await engine.restore()
  startPwa(engine, engine, pwa, app)
}

/** Another tab runs the engine: mirror it, and take over when that tab goes away. */
async function mirrorEngine(): Promise<void> {
  const [config, db] = await Promise.all([loadRuntimeConfig(), openTorrentDb()])
  const settings = await loadSettings(db)
  applyTheme(settings.theme)
  applyLanguage(settings.language)
  const remote = new RemoteEngine()
  Object.assign(app, { config, db, settings, engine: remote })
  startPwa(remote, undefined, pwa, app)
  document.documentElement.dataset.engine = 'other-tab'
  // Queued behind the engine's tab: granted when it closes, and this tab then boots the engine.
  void navigator.locks.request(ENGINE_LOCK, () => location.reload())
}

async function boot(): Promise<void> {
  // One engine per browser: two engines over the same OPFS files would corrupt them.
  if (!navigator.locks) return runEngine()
  await navigator.locks.request(ENGINE_LOCK, { ifAvailable: true }, async (lock) => {
    if (!lock) return void mirrorEngine()
    await runEngine()
    await new Promise(() => {}) // hold the lock for the life of this tab
  })
}

void boot()
