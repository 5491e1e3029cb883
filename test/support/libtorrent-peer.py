"""A real libtorrent peer for the tests (Debian's python3-libtorrent, libtorrent 2.0): one session on
loopback that seeds and downloads v1, v2 and hybrid torrents, driven by JSON lines on stdin.

  libtorrent-peer.py [UPLOAD_LIMIT_BYTES_PER_S]

It prints {"listening": PORT} once its session listens on 127.0.0.1, then one JSON line per
command it reads (each with the command's "id"):

  {"id": 1, "cmd": "add", "torrent": PATH, "save": DIR}     seed (data in DIR) or download a .torrent
  {"id": 2, "cmd": "add", "magnet": URI, "save": DIR}       download by magnet link (metadata from peers)
  {"id": 3, "cmd": "connect", "key": KEY, "peer": "127.0.0.1:6881"}   dial a peer for that torrent
  {"id": 4, "cmd": "status"}                                 every torrent: progress, state, bytes sent

"key" is what "add" answered: the v1 info-hash, or the v2 one cut to 20 bytes for a v2-only torrent.
It has no DHT, LSD, UPnP or NAT-PMP, takes many connections from one IP (every test peer is on
127.0.0.1; see test/support/peers/qbittorrent.ts for the trap) and TCP only (the bridge relays TCP).
It exits when stdin closes. Run with /usr/bin/python3: a pyenv python3 lacks Debian's modules.
"""
import json
import sys
import threading

import libtorrent as lt


def key_of(handle):
    hashes = handle.info_hashes()
    return str(hashes.v1) if hashes.has_v1() else str(hashes.v2)[:40]


def main(argv):
    upload_limit = int(argv[1]) if len(argv) > 1 else 0
    session = lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'enable_outgoing_utp': False, 'enable_incoming_utp': False,
        'allow_multiple_connections_per_ip': True,
        'upload_rate_limit': upload_limit,
        # libtorrent applies rate limits to loopback peers only when told so
        'rate_limit_ip_overhead': False,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        'user_agent': 'libtorrent-test-peer',
    })
    if upload_limit:
        # loopback peers are in libtorrent's local class, which no limit applies to: all in the global one
        classes = lt.ip_filter()
        classes.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
        session.set_peer_class_filter(classes)
    handles = {}
    lock = threading.Lock()
    out = sys.stdout

    def say(obj):
        with lock:
            out.write(json.dumps(obj) + '\n')
            out.flush()

    say({'listening': session.listen_port()})

    def alerts():
        while True:
            session.wait_for_alert(500)
            for alert in session.pop_alerts():
                if isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert)):
                    say({'error': alert.message()})

    threading.Thread(target=alerts, daemon=True).start()

    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            if cmd['cmd'] == 'add':
                params = lt.add_torrent_params() if 'torrent' in cmd else lt.parse_magnet_uri(cmd['magnet'])
                if 'torrent' in cmd:
                    params.ti = lt.torrent_info(cmd['torrent'])
                params.save_path = cmd['save']
                # not auto-managed: no queueing, it starts (checking, then seeding) at once
                params.flags &= ~lt.torrent_flags.auto_managed
                params.flags &= ~lt.torrent_flags.paused
                handle = session.add_torrent(params)
                key = key_of(handle)
                handles[key] = handle
                say({'id': cmd['id'], 'key': key})
            elif cmd['cmd'] == 'connect':
                host, port = cmd['peer'].rsplit(':', 1)
                handles[cmd['key']].connect_peer((host, int(port)))
                say({'id': cmd['id'], 'ok': True})
            elif cmd['cmd'] == 'status':
                torrents = {}
                for key, handle in handles.items():
                    st = handle.status()
                    torrents[key] = {
                        'name': st.name,
                        'state': str(st.state),
                        'progress': st.progress,
                        'seeding': st.is_seeding,
                        'hasMetadata': st.has_metadata,
                        'uploaded': st.total_payload_upload,
                        'downloaded': st.total_payload_download,
                        'peers': st.num_peers,
                        'error': str(st.errc.message()) if st.errc.value() else None,
                    }
                say({'id': cmd['id'], 'torrents': torrents})
            else:
                say({'id': cmd.get('id'), 'error': 'unknown command ' + str(cmd['cmd'])})
        except Exception as err:  # one bad command is reported, the peer runs on
            say({'id': cmd.get('id'), 'error': repr(err)})


if __name__ == '__main__':
    main(sys.argv)
