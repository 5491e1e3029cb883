/**
 * What the bridge reads from a UPnP Internet Gateway Device, pure: SSDP answers, its device
 * description (which service maps ports, at which control URL) and its SOAP answers. Every byte
 * comes from whatever answered on the LAN, so each reader takes capped text, reads it with sax
 * (no DTD entities expanded, a depth limit) and gives a checked value or a reason, never throws.
 */
// @ts-ignore -- sax ships no types; the part used is typed below.
import saxModule from 'sax'
import { canonicalHost } from '../../../src/core/peer-address'

interface SaxParser {
  onopentag: (tag: { name: string }) => void
  onclosetag: (name: string) => void
  ontext: (text: string) => void
  oncdata: (text: string) => void
  onerror: (err: Error) => void
  write(text: string): SaxParser
  close(): SaxParser
}
const sax = saxModule as unknown as { parser(strict: boolean, opts: Record<string, unknown>): SaxParser }

/** A device description is a few KiB (miniupnpd's is 3 KiB, big routers' 10-20 KiB). */
export const MAX_DESCRIPTION_BYTES = 64 * 1024
/** A SOAP answer to the three actions used is well under 2 KiB. */
export const MAX_SOAP_BYTES = 16 * 1024
/** An SSDP answer is a few headers; past this it is not read. */
export const MAX_SSDP_BYTES = 2048
const MAX_DEPTH = 32

/** The services that map ports, most capable first. */
export const WAN_SERVICES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
]

/** The M-SEARCH datagram that asks gateways of `searchTarget` to answer (UPnP Device Architecture 1.1 §1.3.2). */
export function mSearch(searchTarget: string): string {
  return `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: ${searchTarget}\r\n\r\n`
}

/**
 * The description URL in an SSDP answer that came from `sender`: only a device describing itself
 * is believed (its LOCATION on its own address, over http), so an answer cannot send the bridge
 * to another host. Null for anything else.
 */
export function ssdpLocation(datagram: string, sender: string): URL | null {
  const text = datagram.slice(0, MAX_SSDP_BYTES)
  const lines = text.split('\r\n')
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) return null
  const header = lines.find((line) => /^location:/i.test(line))
  if (!header) return null
  let url: URL
  try {
    url = new URL(header.slice('location:'.length).trim())
  } catch {
    return null
  }
  if (url.protocol !== 'http:' || url.username || url.password) return null
  const host = canonicalHost(url.hostname.replace(/^\[|\]$/g, ''))
  return host !== null && host === canonicalHost(sender) ? url : null
}

interface Element { name: string; text: string; children: Element[] }

/** The element tree of capped XML, names in lower case without their namespace prefix; a reason when it is not XML. */
function parseXml(text: string, max: number): { ok: true; root: Element } | { ok: false; reason: string } {
  if (text.length > max) return { ok: false, reason: `an answer of over ${max} bytes` }
  const root: Element = { name: '', text: '', children: [] }
  const stack: Element[] = [root]
  let error: string | null = null
  const parser = sax.parser(false, { lowercase: true, trim: true, strictEntities: true })
  parser.onopentag = (tag) => {
    if (stack.length > MAX_DEPTH) { error ??= `XML nested deeper than ${MAX_DEPTH}`; return }
    const el: Element = { name: tag.name.replace(/^[^:]*:/, ''), text: '', children: [] }
    stack.at(-1)!.children.push(el)
    stack.push(el)
  }
  parser.onclosetag = () => { if (stack.length > 1) stack.pop() }
  parser.ontext = parser.oncdata = (t) => { stack.at(-1)!.text += t }
  parser.onerror = (err) => { error ??= `not XML (${err.message.split('\n')[0]})` }
  try {
    parser.write(text).close()
  } catch (err) {
    error ??= `not XML (${(err as Error).message.split('\n')[0]})`
  }
  return error ? { ok: false, reason: error } : { ok: true, root }
}

function* walk(el: Element): Generator<Element> {
  for (const child of el.children) {
    yield child
    yield* walk(child)
  }
}

function childText(el: Element, name: string): string {
  return el.children.find((c) => c.name === name)?.text.trim() ?? ''
}

export interface WanService {
  serviceType: string
  controlUrl: URL
}

/**
 * The port-mapping service of a device description fetched from `location`: its type and its
 * control URL, which must stay on the description's own host (http), as a router's does.
 */
export function readDescription(xml: string, location: URL): { ok: true; service: WanService } | { ok: false; reason: string } {
  const parsed = parseXml(xml, MAX_DESCRIPTION_BYTES)
  if (!parsed.ok) return parsed
  const all = [...walk(parsed.root)]
  const urlBase = all.find((el) => el.name === 'urlbase')?.text.trim()
  const services = all.filter((el) => el.name === 'service')
    .map((el) => ({ serviceType: childText(el, 'servicetype'), controlURL: childText(el, 'controlurl') }))
  for (const wanted of WAN_SERVICES) {
    const found = services.find((s) => s.serviceType === wanted && s.controlURL)
    if (!found) continue
    let controlUrl: URL
    try {
      controlUrl = new URL(found.controlURL, urlBase || location)
    } catch {
      return { ok: false, reason: 'the device gives a control URL that is not one' }
    }
    if (controlUrl.protocol !== 'http:' || controlUrl.hostname !== location.hostname || controlUrl.username || controlUrl.password) {
      return { ok: false, reason: `the device sends its control requests to ${controlUrl.host}, not to itself` }
    }
    return { ok: true, service: { serviceType: wanted, controlUrl } }
  }
  return { ok: false, reason: 'the device has no port-mapping service (not an internet gateway)' }
}

/** `<tag>text</tag>` with the text escaped. */
function element(name: string, value: string | number): string {
  const text = String(value).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<${name}>${text}</${name}>`
}

/** A SOAP request body for `action` of `serviceType`. */
export function soapRequest(serviceType: string, action: string, args: [string, string | number][]): string {
  return '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${serviceType}">${args.map(([name, value]) => element(name, value)).join('')}</u:${action}></s:Body></s:Envelope>`
}

/** UPnP error codes the user may meet, in words (UPnP IGD WANIPConnection:2 §2.5). */
const UPNP_ERRORS: Record<number, string> = {
  606: 'the router does not allow it (action not authorized)',
  714: 'no such mapping',
  715: 'the router does not accept a wildcard remote host',
  716: 'the router does not accept a wildcard external port',
  718: 'that external port is already mapped to another device',
  724: 'the router needs the same internal and external port',
  725: 'the router only takes permanent mappings',
  728: 'the router has no room for more mappings',
  729: 'the router does not allow that port',
}

export type SoapAnswer =
  | { ok: true; values: Record<string, string> }
  | { ok: false; code: number; reason: string }

/**
 * A SOAP answer's values (each child of `<actionResponse>`, lower-case names) when `status` is 200,
 * or the UPnP fault it carries (errorCode, errorDescription) otherwise.
 */
export function readSoapAnswer(status: number, xml: string, action: string): SoapAnswer {
  const parsed = parseXml(xml, MAX_SOAP_BYTES)
  if (!parsed.ok) return { ok: false, code: 0, reason: parsed.reason }
  const all = [...walk(parsed.root)]
  if (status === 200) {
    const response = all.find((el) => el.name === `${action.toLowerCase()}response`)
    if (!response) return { ok: false, code: 0, reason: `the answer to ${action} is not its response` }
    const values: Record<string, string> = {}
    for (const child of response.children) values[child.name] = child.text.trim()
    return { ok: true, values }
  }
  const codeText = all.find((el) => el.name === 'errorcode')?.text.trim() ?? ''
  const code = /^\d{1,4}$/.test(codeText) ? Number(codeText) : 0
  const description = (all.find((el) => el.name === 'errordescription')?.text.trim() ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 60)
  const reason = UPNP_ERRORS[code] ?? (code ? `error ${code}${description ? ` (${description})` : ''}` : `HTTP status ${status}`)
  return { ok: false, code, reason }
}
