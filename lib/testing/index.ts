/** rxtls/testing: deterministic virtual links for running sessions under a (Test)Scheduler. */
export {
  virtualStreamLink,
  type VirtualEndpoint,
  type VirtualStreamLinkOptions,
} from './virtual-stream-link.js';
export {
  virtualDatagramLink,
  type DatagramLinkStats,
  type DatagramScript,
  type DatagramSelector,
  type LinkSide,
  type VirtualDatagramEndpoint,
  type VirtualDatagramLinkOptions,
} from './virtual-datagram-link.js';
