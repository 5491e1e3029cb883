/** What a torrent's controls ask of the engine (an event from bt-torrent-item to bt-app). */
export interface TorrentCommand {
  infoHash: string
  /** `downloadLimit`/`uploadLimit`: the torrent's own limit in bytes/s (value; 0 = none). */
  action: 'pause' | 'resume' | 'recheck' | 'up' | 'down' | 'sequential' | 'priority' | 'downloadLimit' | 'uploadLimit'
  fileIndex?: number
  value?: number
}
