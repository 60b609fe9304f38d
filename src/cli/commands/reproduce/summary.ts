/** What `reproduce` prints on a terminal: the maxima and the comparison with the paper (the report has the rest). */
import { renderTable } from '../../format/table.js';
import { MATCH_WITHIN } from './report.js';
import type { ReproduceResult } from './results.js';

const num = (x: number | null, d = 1): string => (x === null ? '-' : x.toFixed(d));

export function renderSummary(r: ReproduceResult): string {
  const lines: string[] = ['Maximum throughput per stream without loss (<= 1% of requests failing):', ''];
  lines.push(
    ...renderTable({
      columns: [{ header: 'configuration' }, { header: 'arch' }, { header: 'cores' }, { header: 'max offered', align: 'right' }, { header: 'throughput', align: 'right' }, { header: 'paper', align: 'right' }, { header: 'busiest core', align: 'right' }],
      rows: r.configs.map((c) => {
        const busiest = [...c.cpuAtMax].sort((a, b) => b.utilisation - a.utilisation)[0];
        return [c.name, c.arch, c.cores, num(c.maxOfferedRatePerStream), num(c.maxThroughputPerStream), num(c.paper, 0), busiest ? `${busiest.id} ${(busiest.utilisation * 100).toFixed(1)}%` : '-'];
      }),
    }),
  );
  if (r.comparison.length > 0) {
    lines.push('', `Against the paper (input: fitted to it; prediction: not; ! = more than ${MATCH_WITHIN * 100}% off):`, '');
    lines.push(
      ...renderTable({
        columns: [{ header: 'figure' }, { header: 'role' }, { header: 'paper', align: 'right' }, { header: 'ours', align: 'right' }, { header: 'difference', align: 'right' }, { header: '' }],
        rows: r.comparison.map((c) => {
          const frac = c.unit === 'fraction';
          const show = (x: number | null): string => (x === null ? '-' : frac ? `${(x * 100).toFixed(1)}%` : x.toFixed(1));
          const d = c.relativeDifference;
          const diff = d === null ? '-' : `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}${frac ? ' points' : '%'}`;
          return [c.id, c.role, show(c.paper), show(c.ours), diff, c.relativeDifference === null || Math.abs(c.relativeDifference) > MATCH_WITHIN ? '!' : ''];
        }),
      }),
    );
  }
  return lines.join('\n') + '\n\n';
}
