import { type Observable, ReplaySubject } from 'rxjs';
import type { SessionInfo, SessionTicket } from '../session/contract.js';

/** How many tickets `session$` replays to a late subscriber: as many as `info.tickets` keeps by default. */
export const REPLAYED_TICKETS = 8;

/**
 * The session tickets that appear in a session's `info.tickets`, each once,
 * as an Observable (node:tls's 'session' event): the session keeps its newest
 * tickets in that array (a TLS 1.3 NewSessionTicket arrives after the
 * handshake, while the channel reads; a TLS 1.2 one during it); the channel
 * calls `check()` after the handshake and after each read, and `end()` when
 * it closes. A ticket is told apart by identity, so the session's trimming of
 * older entries (maxTickets) never re-emits one. Late subscribers get the
 * newest REPLAYED_TICKETS again.
 *
 * @example
 * const tickets = new NewTickets(() => session.info);
 * tickets.ticket$.subscribe((t) => store.save(host, t));
 * // after each read:
 * tickets.check();
 */
export class NewTickets {
  readonly ticket$: Observable<SessionTicket>;
  private readonly seen = new WeakSet<SessionTicket>();
  private readonly subject = new ReplaySubject<SessionTicket>(REPLAYED_TICKETS);

  constructor(private readonly info: () => SessionInfo) {
    this.ticket$ = this.subject.asObservable();
  }

  /** Emits the tickets not seen before, oldest first. */
  check(): void {
    if (this.subject.closed || this.subject.isStopped) return;
    for (const ticket of this.info().tickets) {
      if (this.seen.has(ticket)) continue;
      this.seen.add(ticket);
      this.subject.next(ticket);
    }
  }

  /** A last check, then completes: no ticket arrives on a closed connection. */
  end(): void {
    this.check();
    this.subject.complete();
  }
}
