/** rxtls/testing: deterministic virtual links for running sessions under a (Test)Scheduler. */
export {
  virtualStreamLink,
  type VirtualEndpoint,
  type VirtualStreamLinkOptions,
} from './virtual-stream-link.js';
