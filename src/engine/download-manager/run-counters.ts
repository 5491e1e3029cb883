import type { TorrentRecord } from './snapshot'

/** Upload and seeding time of this run, banked into what persists (when a torrent leaves webtorrent). */
export function bankCounters(record: TorrentRecord): void {
  record.stored.uploadedBefore = (record.stored.uploadedBefore ?? 0) + record.uploadedNow
  record.uploadedNow = 0
  if (record.seedingSince) {
    record.stored.seededSecondsBefore = (record.stored.seededSecondsBefore ?? 0) + (Date.now() - record.seedingSince) / 1000
    delete record.seedingSince
  }
}
