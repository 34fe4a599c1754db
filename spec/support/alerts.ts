import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';

/** The alert of the TlsError `f` throws, or undefined when it returns; any other error fails the spec. */
export function alertOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(TlsError);
    return (e as TlsError).alert;
  }
  return undefined;
}
