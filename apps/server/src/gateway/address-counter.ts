import type { IncomingMessage } from 'node:http';
import { clientAddress, trustFunction } from '../http/trust-proxy';

/**
 * Open sockets per client address on this node (MAX_SOCKETS_PER_IP), checked at the
 * handshake so one address cannot multiply the per-socket budgets. Behind trusted proxies
 * (TRUST_PROXY) the address is read from X-Forwarded-For the way Fastify reads request.ip.
 */
export class AddressCounter {
  private readonly open = new Map<string, number>();

  private readonly trust: (addr: string, hop: number) => boolean;

  constructor(
    private readonly max: number,
    trustProxy: false | number | string[],
  ) {
    this.trust = trustFunction(trustProxy);
  }

  addressOf(req: IncomingMessage): string {
    return clientAddress(
      req.socket.remoteAddress ?? 'unknown',
      req.headers['x-forwarded-for'],
      this.trust,
    );
  }

  admits(req: IncomingMessage): boolean {
    return (this.open.get(this.addressOf(req)) ?? 0) < this.max;
  }

  opened(address: string): void {
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
  }

  closed(address: string): void {
    const left = (this.open.get(address) ?? 1) - 1;
    if (left <= 0) this.open.delete(address);
    else this.open.set(address, left);
  }
}
