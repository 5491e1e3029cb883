import { RUNTIME_CONFIG_PATH, defaultRuntimeConfig, type RuntimeConfig } from './protocol/runtime-config'

/** The server's runtime configuration over the built-in defaults; the defaults alone when it is unreachable. */
export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  const defaults = defaultRuntimeConfig()
  try {
    const response = await fetch(RUNTIME_CONFIG_PATH, { cache: 'no-store' })
    if (!response.ok) return defaults
    const served = (await response.json()) as Partial<RuntimeConfig>
    return {
      type: 'runtime-config',
      trackers: Array.isArray(served.trackers) ? served.trackers : defaults.trackers,
      iceServers: Array.isArray(served.iceServers) ? served.iceServers : defaults.iceServers,
      bridge: typeof served.bridge?.path === 'string' ? { path: served.bridge.path, tokenRequired: Boolean(served.bridge.tokenRequired) } : null,
    }
  } catch {
    return defaults
  }
}
