export type * from './provider.js';
export { nobleCrypto } from './noble/index.js';
