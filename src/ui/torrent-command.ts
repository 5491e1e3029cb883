/** What a torrent's controls ask of the engine (an event from bt-torrent-item to bt-app). */
export interface TorrentCommand {
  infoHash: string
  action: 'pause' | 'resume' | 'recheck' | 'up' | 'down' | 'sequential' | 'priority'
  fileIndex?: number
  value?: number
}
