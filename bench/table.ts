/** The printed table and bench/results.json. */
import { writeFileSync } from 'node:fs';
import { fmt, type Line } from './stats.js';

function verdict(l: Line): string {
  if (!l.target) return '';
  const r = l.ratio.median;
  const ok = (l.target.min === undefined || r >= l.target.min) && (l.target.max === undefined || r <= l.target.max);
  return `${l.target.text} ${ok ? 'MET' : 'MISSED'}`;
}

function cell(s: { median: number; min: number; max: number }, unit: string): string {
  return `${fmt(s.median, unit)} [${fmt(s.min, unit)}–${fmt(s.max, unit)}]`;
}

export function printTable(lines: Line[]): void {
  const rows = lines.map((l) => [
    l.section,
    l.name,
    `${l.a.label}: ${cell(l.a, l.unit)}`,
    `${l.b.label}: ${cell(l.b, l.unit)}`,
    l.unit,
    `${l.ratio.median.toFixed(3)} [${l.ratio.min.toFixed(3)}–${l.ratio.max.toFixed(3)}]`,
    verdict(l),
  ]);
  const head = ['section', 'line', 'A (median [min–max])', 'B (median [min–max])', 'unit', 'A/B', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmtRow = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(fmtRow(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(fmtRow(r));
  const notes = lines.filter((l) => l.note);
  if (notes.length) console.log('\nnotes:');
  for (const l of notes) console.log(`- ${l.section} / ${l.name}: ${l.note}`);
}

export function writeResults(path: string, meta: Record<string, unknown>, lines: Line[]): void {
  const out = {
    ...meta,
    lines: lines.map((l) => ({
      ...l,
      met: l.target ? (l.target.min === undefined || l.ratio.median >= l.target.min) && (l.target.max === undefined || l.ratio.median <= l.target.max) : undefined,
    })),
  };
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
}
