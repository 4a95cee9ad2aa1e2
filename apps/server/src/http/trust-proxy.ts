import { BlockList, isIPv6 } from 'node:net';

/**
 * TRUST_PROXY as one function, "may the address at this hop be trusted to report the next
 * one?" (proxy-addr's form): hop 0 is the socket's peer. Fastify takes it for `request.ip`
 * and the socket handshake uses it for MAX_SOCKETS_PER_IP, so both see the same client.
 */
export function trustFunction(
  setting: false | number | string[],
): (addr: string, hop: number) => boolean {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_addr, hop) => hop < setting;
  const trusted = new BlockList();
  for (const entry of setting) {
    const [address, bits] = entry.split('/');
    if (!address) continue;
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(bits), family);
  }
  return (addr) => {
    const plain = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
    return trusted.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  };
}

/** The client address: walk X-Forwarded-For from the right while each hop is trusted. */
export function clientAddress(
  remote: string,
  forwardedFor: string | string[] | undefined,
  trust: (addr: string, hop: number) => boolean,
): string {
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [remote, ...forwarded.reverse()];
  let hop = 0;
  while (hop < chain.length - 1 && trust(chain[hop] as string, hop)) hop += 1;
  return chain[hop] as string;
}
