/**
 * What a stream connection tolerates of records that carry nothing: empty
 * application data and extra ChangeCipherSpecs (RFC 8446 §5.4 allows a
 * few as cover traffic), and warning alerts, each up to a configured run;
 * any record with content ends the run. An endless stream of them only
 * costs us, so the run's end is unexpected_message.
 */
import { Alert, TlsError, alertName } from '../errors.js';

export class IdleRecords {
  private empty = 0;
  private warnings = 0;

  constructor(
    private readonly maxEmpty: number,
    private readonly maxWarnings: number,
  ) {}

  /** A record with content: the runs of empty records and of warnings are over. */
  sawContent(): void {
    this.empty = 0;
    this.warnings = 0;
  }

  sawEmpty(what: string): void {
    if (++this.empty > this.maxEmpty) throw new TlsError('unexpected_message', `more than ${this.maxEmpty} records in a row without content (${what})`);
  }

  /**
   * An alert record: 'close_notify', or 'warning' for one the connection
   * survives (TLS 1.2 names warnings by their level, RFC 5246 §7.2; in 1.3
   * only user_canceled is one, RFC 8446 §6); a fatal one is thrown as the
   * peer's TlsError.
   */
  readAlert(content: Uint8Array, tls12: boolean): 'close_notify' | 'warning' {
    // RFC 8446 §5.4: an alert record with no content is unexpected_message; any other wrong length does not decode.
    if (content.length === 0) throw new TlsError('unexpected_message', 'alert record of zero length');
    if (content.length !== 2) throw new TlsError('decode_error', 'alert of wrong length');
    const description = content[1]!;
    if (description === Alert.close_notify) return 'close_notify';
    if (description !== Alert.user_canceled && !(tls12 && content[0] === 1)) throw new TlsError(alertName(description), 'alert received from peer', true);
    // A warning; close_notify should follow, not more warnings.
    if (++this.warnings > this.maxWarnings) throw new TlsError('unexpected_message', `more than ${this.maxWarnings} warning alerts in a row`);
    return 'warning';
  }
}
