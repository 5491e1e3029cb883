/** Limits on what a .torrent may hold (v1 and v2 alike), each against a hostile file. */

/** Largest .torrent we parse: the biggest real ones are a few MiB; this bounds memory. */
export const MAX_TORRENT_BYTES = 64 * 1024 * 1024
/** Smallest piece length: the 16 KiB block size of the wire protocol. */
export const MIN_PIECE_LENGTH = 16 * 1024
/** Largest piece length: above this one piece would not fit comfortably in memory for hashing. */
export const MAX_PIECE_LENGTH = 256 * 1024 * 1024
/** Most files in one torrent: beyond this the file list alone overwhelms the UI and storage. */
export const MAX_FILES = 100_000
/** Deepest folder nesting we accept; real torrents rarely exceed 10. */
export const MAX_PATH_DEPTH = 100
/**
 * Most names in all files' paths together (folders and file names, each counted where it
 * appears): 100,000 files at the deepest nesting would be 10 million, which the sanitiser's table
 * of names in use and the page's file tree cannot hold (the worker ran out of memory); real
 * torrents with 100,000 files nest a few folders deep.
 */
export const MAX_PATH_NAMES = 1_000_000
/** Longest comment we keep (characters); the rest is cut, since it is only shown to the user. */
export const MAX_COMMENT_LENGTH = 10_000
/**
 * Most pieces: what the largest v1 torrent we accept can hold (20 bytes of hash each). A v2
 * torrent need not carry its piece hashes, so without this a few bytes could claim billions.
 */
export const MAX_PIECES = Math.floor(MAX_TORRENT_BYTES / 20)
/**
 * Nesting the .torrent's bencode may have: the top-level, info and file tree dictionaries, a
 * v2 file MAX_PATH_DEPTH deep (a dictionary per name, and one for the file), and a few to spare
 * so that a tree slightly too deep gets the file tree's own message.
 */
export const MAX_TORRENT_NESTING = MAX_PATH_DEPTH + 8
