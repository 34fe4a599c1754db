/** rxtls/rx: RxJS operators that drive a non-blocking Session from readiness events and timers. */
export { type Readiness, waitFor, ReadinessEndedError } from './readiness.js';
export { retryOnAgain } from './retry-on-again.js';
export { drainPending } from './drain-pending.js';
export { retransmitOnTimeout } from './retransmit-on-timeout.js';
