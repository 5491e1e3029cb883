import { Engine } from './engine/engine'
import { loadRuntimeConfig } from './runtime-config'
import { StorageClient } from './storage/storage-client'
import './ui/bt-app'
import type { BtApp } from './ui/bt-app'

async function boot(): Promise<void> {
  const config = await loadRuntimeConfig()
  const engine = new Engine(config, new StorageClient())
  const app = document.querySelector('bt-app') as unknown as BtApp
  app.config = config
  app.engine = engine
}

void boot()
