/**
 * The oracle of the bad-input fuzzing: what may come out of a session that
 * was fed hostile bytes.
 */
import { Alert, TlsError } from '../../lib/errors.js';
import { equalBytes } from '../../lib/wire/codec.js';
import { type Outcome, type Side, splitRecords } from './rig.js';

export const isKnownAlert = (name: string): boolean => Object.prototype.hasOwnProperty.call(Alert, name);

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
}

/** A peer may send a code outside our table: it surfaces as `alert_<n>`, marked fromPeer. */
const isUnknownPeerAlert = (e: TlsError) => e.fromPeer && /^alert_\d+$/.test(e.alert);

/** Throws unless `e` is a TlsError carrying an alert name from `Alert` (or, from the peer, `alert_<n>`). */
export function expectTlsError(e: unknown): asserts e is TlsError {
  if (!(e instanceof TlsError)) throw new Error(`not a TlsError: ${describe(e)}`);
  if (isKnownAlert(e.alert) || isUnknownPeerAlert(e)) return;
  throw new Error(`TlsError with an alert not in Alert: ${e.alert} (fromPeer ${e.fromPeer}): ${e.message}`);
}

/** Runs `fn`; only a TlsError (with a known alert) may escape. */
export function onlyTlsError<T>(fn: () => T): T | TlsError {
  try {
    return fn();
  } catch (e) {
    expectTlsError(e);
    return e;
  }
}

/** After a failure every entry point throws the very same error and writes nothing. */
function expectUnusable(side: Side, err: TlsError): void {
  const s = side.session;
  const calls: Array<[string, () => unknown]> = [
    ['handshake', () => s.handshake()],
    ['recv', () => s.recv()],
    ['send', () => s.send(Uint8Array.of(1, 2, 3))],
    ['keyUpdate', () => s.keyUpdate(true)],
    ['bye', () => s.bye()],
  ];
  for (const [name, call] of calls) {
    let thrown: unknown = undefined;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    if (thrown !== err) throw new Error(`after ${err.message}, ${name}() ${thrown === undefined ? 'returned normally' : `threw something else: ${describe(thrown)}`}`);
  }
  const late = side.takePushed();
  if (late.length) throw new Error(`a failed session wrote ${late.length} more bytes`);
}

/**
 * When we detected the error (not from the peer, not a transport end) and had
 * not sent close_notify, the last thing written must be our fatal alert:
 * a plaintext alert record before any key was in use, else an encrypted one.
 */
function expectAlertWritten(side: Side, err: TlsError, written: Uint8Array): void {
  const { records, rest } = splitRecords(written);
  const last = records[records.length - 1];
  if (rest.length || !last) throw new Error(`no whole alert record written for ${err.message} (${written.length} bytes)`);
  const code = Alert[err.alert as keyof typeof Alert]; // we only send alerts we know
  if (last.type === 21) {
    if (side.seals.length) throw new Error(`plaintext alert although write keys were in use (${err.message})`);
    if (!equalBytes(last.fragment, Uint8Array.of(2, code))) throw new Error(`alert record ${Array.from(last.fragment)} for ${err.alert}`);
    return;
  }
  if (last.type === 23) {
    const seal = side.seals[side.seals.length - 1];
    if (!seal || !equalBytes(seal.out, last.fragment)) throw new Error('last encrypted record is not the last one sealed');
    if (!equalBytes(seal.inner, Uint8Array.of(2, code, 21))) throw new Error(`encrypted record is not a fatal ${err.alert} alert: ${Array.from(seal.inner)}`);
    return;
  }
  throw new Error(`last record written after ${err.message} has type ${last.type}`);
}

/**
 * A failure we must report to the peer with our alert: not the peer's alert,
 * not the transport ending (which has a code of its own: premature
 * termination, or a transport error's E... code; alert failures may carry an
 * ERR_TLS_ALERT_... code).
 */
function ours(err: TlsError): boolean {
  const code = String(err.code ?? '');
  return !err.fromPeer && !/^(premature_termination|ERR_TLS_PREMATURE_TERMINATION|E[A-Z0-9]+)$/.test(code);
}

/** The whole oracle for one attack. */
export function checkOutcome(o: Outcome): void {
  if (o.kind === 'hang') throw new Error(`no progress after ${o.calls} calls`);
  if (o.kind !== 'threw') return;
  expectTlsError(o.error);
  const err = o.error;
  if (ours(err) && !o.side.sentBye) expectAlertWritten(o.side, err, o.written);
  expectUnusable(o.side, err);
}
