import type { LanguageSetting } from '../i18n/locales'
import type { TorrentDb } from './db'

/** The user's settings; each applies at once. */
export interface Settings {
  /** Bytes per second over all torrents; 0 = no limit. */
  downloadLimit: number
  uploadLimit: number
  /** 0 = no limit. */
  maxActiveDownloads: number
  maxActiveSeeds: number
  /** Stop seeding at this ratio (0 = never) or after this many minutes (0 = never). */
  seedRatio: number
  seedMinutes: number
  /** Replace the server's trackers (ws/wss in the page, http/https/udp through the bridge) and ICE servers; empty = the server's. */
  trackers: string[]
  iceServers: string[]
  theme: 'system' | 'light' | 'dark'
  /** The UI's language: 'auto' follows the browser's languages. */
  language: LanguageSetting
  /** Needed when the bridge is reached beyond loopback (the server's --token). */
  bridgeToken: string
  /** Show the add dialog (file tree, choose files, start paused) for torrents with several files (magnets: once their metadata is here). */
  askFilesOnAdd: boolean
}

export const DEFAULT_SETTINGS: Settings = {
  downloadLimit: 0,
  uploadLimit: 0,
  maxActiveDownloads: 3,
  maxActiveSeeds: 5,
  seedRatio: 0,
  seedMinutes: 0,
  trackers: [],
  iceServers: [],
  theme: 'system',
  language: 'auto',
  bridgeToken: '',
  askFilesOnAdd: true,
}

const KEY = 'settings'

export async function loadSettings(db: TorrentDb): Promise<Settings> {
  const saved = (await db.get('settings', KEY)) as Partial<Settings> | undefined
  return { ...DEFAULT_SETTINGS, ...saved }
}

export async function saveSettings(db: TorrentDb, settings: Settings): Promise<void> {
  await db.put('settings', settings, KEY)
}
