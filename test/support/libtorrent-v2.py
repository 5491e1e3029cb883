"""libtorrent's own view of BitTorrent v2 torrents, for the tests (Debian's python3-libtorrent, 2.0).

  make SRC OUT MODE PIECE_LENGTH [TRACKER]
                                   creates OUT from the file or folder SRC with libtorrent's creator;
                                   MODE: hybrid | hybrid-no-tail-padding | v2 | v1
  inspect TORRENT                  what libtorrent reads in a .torrent (ours or its own)
  check TORRENT SAVE_PATH          loads TORRENT in a session whose data is in SAVE_PATH, waits for
                                   libtorrent's check of the files, and reports how many pieces passed

Each prints one JSON object. Run with /usr/bin/python3: a pyenv python3 lacks Debian's modules.
"""
import json
import os
import sys
import time

import libtorrent as lt

MODES = {
    'hybrid': 0,
    'hybrid-no-tail-padding': lt.create_torrent.canonical_files_no_tail_padding,
    'v2': lt.create_torrent.v2_only,
    'v1': lt.create_torrent.v1_only,
}


def hexes(digest):
    text = str(digest)
    return None if text.strip('0') == '' else text


def describe(ti, raw):
    files = ti.files()
    decoded = lt.bdecode(raw)
    layers = {bytes(k).hex(): bytes(v).hex() for k, v in decoded.get(b'piece layers', {}).items()}
    hashes = ti.info_hashes()
    return {
        'v1': str(hashes.v1) if hashes.has_v1() else None,
        'v2': str(hashes.v2) if hashes.has_v2() else None,
        'name': ti.name(),
        'numPieces': ti.num_pieces(),
        'pieceLength': ti.piece_length(),
        'totalSize': ti.total_size(),
        'files': [{
            'path': files.file_path(i),
            'size': files.file_size(i),
            'offset': files.file_offset(i),
            'pad': bool(files.file_flags(i) & lt.file_storage.flag_pad_file),
            'root': hexes(files.root(i)),
        } for i in range(files.num_files())],
        'pieceLayers': layers,
        'magnet': lt.make_magnet_uri(ti),
    }


def make(src, out, mode, piece_length, tracker=None):
    fs = lt.file_storage()
    lt.add_files(fs, src)
    ct = lt.create_torrent(fs, int(piece_length), flags=MODES[mode])
    if tracker:
        ct.add_tracker(tracker)
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(src)))
    raw = lt.bencode(ct.generate())
    with open(out, 'wb') as f:
        f.write(raw)
    return describe(lt.torrent_info(out), raw)


def inspect(path):
    with open(path, 'rb') as f:
        raw = f.read()
    return describe(lt.torrent_info(path), raw)


def check(path, save_path):
    ti = lt.torrent_info(path)
    session = lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    })
    handle = session.add_torrent({'ti': ti, 'save_path': save_path})
    error = None
    checked = False
    deadline = time.time() + 60
    while not checked and error is None and time.time() < deadline:
        session.wait_for_alert(500)
        for alert in session.pop_alerts():
            if isinstance(alert, lt.torrent_checked_alert):
                checked = True
            elif isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert)):
                error = alert.message()
    status = handle.status()
    return {
        'checked': checked,
        'error': error,
        'numPieces': ti.num_pieces(),
        'havePieces': status.num_pieces,
        'seeding': status.is_seeding,
    }


def main(argv):
    command = argv[1]
    if command == 'make':
        result = make(argv[2], argv[3], argv[4], argv[5], argv[6] if len(argv) > 6 else None)
    elif command == 'inspect':
        result = inspect(argv[2])
    elif command == 'check':
        result = check(argv[2], argv[3])
    else:
        raise SystemExit('unknown command ' + command)
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv)
