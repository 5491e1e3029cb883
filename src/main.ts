import { Engine } from './engine/engine'
import { Persistence } from './engine/persistence'
import { openTorrentDb } from './prefs/db'
import { mountPwaElements, startPwa, startServiceWorker } from './pwa'
import { loadRuntimeConfig } from './runtime-config'
import { StorageClient } from './storage/storage-client'
import './ui/bt-app'
import { applyTheme } from './ui/theme'
import type { BtApp } from './ui/bt-app'

// The PWA's own elements live beside <bt-app>; the service worker starts before the engine.
const toast = mountPwaElements()
startServiceWorker(toast)

async function boot(): Promise<void> {
  const config = await loadRuntimeConfig()
  const engine = new Engine(config, new StorageClient(), new Persistence(await openTorrentDb()))
  const app = document.querySelector('bt-app') as unknown as BtApp
  app.config = config
  app.engine = engine
  await engine.restore()
  startPwa(engine, toast)
}

void boot()
