/**
 * The wire values of the bridge frames' enumerations and flags (layout in
 * src/protocol/bridge-frames.ts), shared by the encoder and the decoder so the two cannot disagree.
 */
import {
  CloseCode, FrameType, WebSeedOutcome, type AnnounceEvent, type BridgePeerSource, type PortMappingProtocol, type PortMappingState,
  type RouteState, type TrackerState,
} from '../../protocol/bridge-frames'

export const EVENTS: AnnounceEvent[] = ['none', 'started', 'completed', 'stopped']
// new sources go at the end: a source travels as its place in this list
export const SOURCES: BridgePeerSource[] = ['tracker', 'dht', 'lsd']
export const TRACKER_STATES: TrackerState[] = ['announcing', 'working', 'error', 'refused']
export const MAPPING_STATES: PortMappingState[] = ['off', 'mapping', 'mapped', 'failed']
/** On the wire: 0 for none ('') yet, then each protocol. */
export const MAPPING_PROTOCOLS: (PortMappingProtocol | '')[] = ['', 'upnp', 'natpmp', 'pcp']
/** STATUS flags: the bits a decoder accepts (any other set is malformed). */
export const STATUS_LSD = 1
export const STATUS_IPV6 = 2
/** A count that may be unknown (-1) on the wire: u32, all ones for unknown. */
export const UNKNOWN_COUNT = 0xffffffff
export const PAGE_TYPES = new Set([FrameType.Register, FrameType.Unregister, FrameType.Announce, FrameType.Open, FrameType.WebSeedFetch, FrameType.WebSeedCancel,
  FrameType.Data, FrameType.Credit, FrameType.Close])
export const BRIDGE_TYPES = new Set([FrameType.Welcome, FrameType.Peers, FrameType.Opened, FrameType.Incoming, FrameType.Notice, FrameType.Goodbye, FrameType.Tracker,
  FrameType.Status, FrameType.Route, FrameType.WebSeedData, FrameType.WebSeedEnd, FrameType.Data, FrameType.Credit, FrameType.Close])
export const ROUTE_STATES: RouteState[] = ['unknown', 'up', 'down']
export const MAX_WEB_SEED_OUTCOME = WebSeedOutcome.Busy
export const MAX_CLOSE_CODE = CloseCode.ShuttingDown
