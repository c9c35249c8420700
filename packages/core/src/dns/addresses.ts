// IP address parsing for the planner. Pure, no imports: planning modules stay free of Node APIs
// so that they run anywhere and stay fast.

/**
 * An IP address in canonical presentation form. `key` is the address's bytes (IPv4) or 16-bit
 * groups (IPv6) as UTF-16 code units: comparing keys as strings compares the addresses numerically,
 * and building one costs a single short string, which matters when planning 100,000 shards.
 */
export interface Address {
  readonly text: string;
  readonly family: 4 | 6;
  readonly key: string;
}

/** Dotted quad without leading zeros (`010.0.0.1` is ambiguous: octal to some parsers). */
export function parseIPv4(text: string): Address | null {
  const octets = [0, 0, 0, 0];
  let part = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part === 3) return null;
      part += 1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octets[part] === 0) return null;
      const octet = octets[part]! * 10 + (c - 48);
      if (octet > 255) return null;
      octets[part] = octet;
      digits += 1;
    } else {
      return null;
    }
  }
  if (part !== 3 || digits === 0) return null;
  return { text, family: 4, key: String.fromCharCode(octets[0]!, octets[1]!, octets[2]!, octets[3]!) };
}

/** Any RFC 4291 text form; the result is RFC 5952 canonical. Zone ids (`%eth0`) are refused. */
export function parseIPv6(input: string): Address | null {
  const text = input.toLowerCase();
  if (text.length > 45 || !/^[0-9a-f:.]+$/.test(text)) return null;
  let groups: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    // An embedded dotted quad stands for the last two groups.
    const v4 = lastColon < 0 ? null : parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = [...v4.key].map((ch) => ch.charCodeAt(0));
    groups = [(a << 8) | b, (c << 8) | d];
    head = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
    if (head === '') return null;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const left = parse(halves[0] ?? '');
  const right = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!left || !right) return null;
  const explicit = left.length + right.length + groups.length;
  let all: number[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    all = [...left, ...new Array<number>(8 - explicit).fill(0), ...right, ...groups];
  } else {
    if (explicit !== 8) return null;
    all = [...left, ...groups];
  }
  return { text: formatIPv6(all), family: 6, key: String.fromCharCode(...all) };
}

/** RFC 5952 text of eight 16-bit groups. */
export function formatIPv6(groups: readonly number[]): string {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `::ffff:${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`;
  }
  // RFC 5952 §4.2: shorten the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses either family; refuses the unspecified addresses, which no load balancer serves on. */
export function parseAddress(text: string): Address | null {
  const address = text.includes(':') ? parseIPv6(text) : parseIPv4(text);
  if (!address || /^\0+$/.test(address.key)) return null;
  return address;
}

/**
 * `raw` as an address a public record may carry, or why not: not an address, or one no client
 * could reach through DNS (unspecified, loopback, link-local, multicast, broadcast) or one
 * that belongs in another record type (IPv4-mapped IPv6: its IPv4 address goes in an A record).
 * Private and unique-local addresses pass: internal load balancers serve on them.
 */
export function publicAddress(raw: unknown): Address | string {
  const address = typeof raw === 'string' ? (raw.includes(':') ? parseIPv6(raw) : parseIPv4(raw)) : null;
  if (!address) return 'must be an IPv4 or IPv6 address';
  const why = address.family === 4 ? ipv4Unpublishable(address.key) : ipv6Unpublishable(address.key);
  return why === undefined ? address : `is ${why}: no public record may carry it`;
}

function ipv4Unpublishable(key: string): string | undefined {
  const a = key.charCodeAt(0);
  const b = key.charCodeAt(1);
  if (key === '\0\0\0\0') return 'the unspecified address';
  if (a === 127) return 'a loopback address (127.0.0.0/8)';
  if (a === 169 && b === 254) return 'a link-local address (169.254.0.0/16)';
  if (a >= 224 && a <= 239) return 'a multicast address (224.0.0.0/4)';
  if (key === '\xff\xff\xff\xff') return 'the broadcast address';
  return undefined;
}

function ipv6Unpublishable(key: string): string | undefined {
  const first = key.charCodeAt(0);
  if (/^\0{8}$/.test(key)) return 'the unspecified address';
  if (/^\0{7}\x01$/.test(key)) return 'the loopback address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address (fe80::/10)';
  if ((first & 0xff00) === 0xff00) return 'a multicast address (ff00::/8)';
  if (/^\0{5}\uffff/.test(key)) return 'an IPv4-mapped address (::ffff:0:0/96), whose IPv4 address belongs in an A record';
  return undefined;
}
