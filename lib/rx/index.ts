/** rxtls/rx: RxJS operators that drive a non-blocking Session from readiness events and timers. */
export { type Readiness, waitFor, ReadinessEndedError } from './readiness.js';
export { retryOnAgain } from './retry-on-again.js';
export { drainPending } from './drain-pending.js';
export { retransmitOnTimeout } from './retransmit-on-timeout.js';
export { SecureChannel, openChannel } from './secure-channel.js';
export { type ChannelLink, type ChannelOptions, type ChannelSession } from './channel-link.js';
export { type ChannelEvent, type DatagramChannelEvent } from './channel-event.js';
export {
  DatagramChannel,
  openDatagramChannel,
  type DatagramChannelLink,
  type DatagramChannelOptions,
  type DatagramChannelSession,
} from './datagram-channel.js';
export { SendQueue, type SendQueueHooks, type SendQueueSession } from './send-queue.js';
export { pacedRead, type PausableSource } from './paced-read.js';
