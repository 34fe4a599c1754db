/**
 * What lib/node knows about a channel it opened over a net.Socket: the
 * socket (addresses, keep-alive, ref/unref, byte counts) and whether the peer
 * was verified. connectTls/listenTls register it; toDuplex() reads it to give
 * its Duplex the net.Socket/TLSSocket surface. Kept here, beside the channel
 * rather than in it, so lib/rx stays free of node:*.
 */
import type { Socket } from 'node:net';
import type { SecureChannel } from '../rx/secure-channel.js';

export interface ChannelSocketInfo {
  /** The TCP socket under the channel. Never write to it: that would corrupt the TLS stream. */
  socket?: Socket;
  /** Which end we are; 'client' unless said. */
  role?: 'client' | 'server';
  /** True when the peer's certificate is checked (a client with rejectUnauthorized not false). */
  verifiesPeer?: boolean;
}

const registry = new WeakMap<SecureChannel, ChannelSocketInfo>();

export function registerChannelSocket(channel: SecureChannel, info: ChannelSocketInfo): void {
  registry.set(channel, info);
}

export function channelSocketInfo(channel: SecureChannel): ChannelSocketInfo | undefined {
  return registry.get(channel);
}
