import { asyncScheduler, NEVER, Observable, timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { NonBlockingSession } from '../session/contract.js';

/**
 * Drives a DTLS handshake: the loop `merge(trigger$, timer expiry) →
 * handshake() → re-arm`.
 *
 * Each step calls `session.handshake()`. If it returns AGAIN, the timer is
 * re-armed as `timer(session.timeout(), scheduler)`, read after the step so
 * it reflects the session's new deadline (RFC 9147 §5.8: 1 s, doubling,
 * capped). Expiry runs another step, in which the session notices the
 * deadline passed and retransmits its last flight. `timeout()` returning
 * undefined means no timer is needed (e.g. a server waiting for a
 * ClientHello), so none is armed and only `trigger$` can start the next step.
 *
 * `trigger$` carries the other reasons to step, normally the transport's
 * `readable$` (a flight arrived) and, when the session may block on sending,
 * `writable$`. Every trigger event cancels the pending timer and re-arms it
 * from the fresh `timeout()`, so a step happens exactly once per cause and a
 * stale deadline never fires. Completion of `trigger$` is ignored: the timer
 * keeps retransmitting.
 *
 * The first step runs on subscribe. Emits 'done' and completes when
 * `handshake()` returns 'done'; a throw from `handshake()`/`timeout()` or an
 * error from `trigger$` is an error notification; unsubscribing cancels the
 * timer. The session's own clock should be `() => scheduler.now()` so its
 * deadlines and this timer agree (and both run in TestScheduler time).
 *
 * Not covered: timers still running after 'done' (the DTLS 1.3 client's final
 * flight waiting for an ACK) must be driven by the data phase.
 *
 * @example
 * const session = Session.client({ protocol: 'dtls', clock: () => scheduler.now(), ... });
 * session.setTransport(link.transport);
 * retransmitOnTimeout(session, scheduler, link.readiness.readable$)
 *   .subscribe(() => console.log('DTLS handshake done'));
 */
export function retransmitOnTimeout(
  session: Pick<NonBlockingSession, 'handshake' | 'timeout'>,
  scheduler: SchedulerLike = asyncScheduler,
  trigger$: Observable<unknown> = NEVER,
): Observable<'done'> {
  return new Observable<'done'>((subscriber) => {
    let armed: Subscription | undefined;
    const disarm = (): void => {
      armed?.unsubscribe();
      armed = undefined;
    };
    subscriber.add(disarm);

    const stepOnce = (): void => {
      // Whatever caused this step, the old deadline is obsolete.
      disarm();
      if (session.handshake() === 'done') {
        subscriber.next('done');
        subscriber.complete();
        return;
      }
      const ms = session.timeout();
      if (ms !== undefined) armed = timer(ms, scheduler).subscribe(step);
    };

    // handshake() pushes to the transport; a synchronous transport may emit a
    // trigger (or a zero timer may fire) inside it. Re-entering handshake()
    // would nest protocol steps, so note it and step again afterwards.
    let stepping = false;
    let again = false;
    function step(): void {
      if (stepping) {
        again = true;
        return;
      }
      stepping = true;
      try {
        do {
          again = false;
          stepOnce();
        } while (again && !subscriber.closed);
      } catch (err) {
        subscriber.error(err);
      } finally {
        stepping = false;
      }
    }

    step();
    if (subscriber.closed) return;
    subscriber.add(trigger$.subscribe({ next: step, error: (err: unknown) => subscriber.error(err) }));
  });
}
