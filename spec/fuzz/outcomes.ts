/**
 * Not a spec: prints what the mutated-flight attacks run into, per attacked
 * flight (a coverage check for the mutators). Usage:
 *   node --import tsx spec/fuzz/outcomes.ts [scenario index] [runs per flight] [seed]
 */
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { checkOutcome } from './check.js';
import { applyPlan, planArb } from './mutate.js';
import { type Role, attack, peerOf, record } from './rig.js';
import { SCENARIOS } from './scenarios.js';

const [scenarioIndex = 0, runs = 100, seed = 1] = process.argv.slice(2).map(Number);
const rec = record(SCENARIOS[scenarioIndex]!);
const hist = new Map<string, number>();
let failures = 0;
for (const target of ['server', 'client'] as Role[]) {
  for (const f of rec.flights[peerOf(target)]) {
    for (const [plan, thenEof] of fc.sample(fc.tuple(planArb, fc.boolean()), { numRuns: runs, seed })) {
      const o = attack(rec, target, f.index, (fl) => applyPlan(fl, plan), { thenEof });
      try {
        checkOutcome(o);
      } catch (e) {
        failures++;
        console.log('FAILED', target, f.index, JSON.stringify(plan, (_, v) => (v instanceof Uint8Array ? Array.from(v) : v)), String(e));
      }
      const what =
        o.kind !== 'threw'
          ? o.kind
          : o.error instanceof TlsError
            ? `${o.error.alert}${o.error.fromPeer ? ' (from peer)' : ''}: ${o.error.message.replace(/^[a-z_0-9]+: /, '').replace(/\d+/g, 'N')}`
            : `NOT A TlsError: ${String(o.error)}`;
      const key = `${target} <- ${peerOf(target)} flight ${f.index} (${f.label}) | ${what}`;
      hist.set(key, (hist.get(key) ?? 0) + 1);
    }
  }
}
for (const [k, v] of [...hist].sort()) console.log(String(v).padStart(5), k);
console.log(`${failures} oracle failures`);
