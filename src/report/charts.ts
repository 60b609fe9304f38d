/**
 * Charts of the report: line charts declared in vega-lite, compiled to vega and rendered to SVG by vega's headless
 * renderer (no browser, no canvas: text widths are vega's estimates). The same data always gives the same SVG.
 */
import type * as vl from 'vega-lite';

export interface ChartPoint {
  readonly x: number;
  readonly y: number | null;
  /** A 95% confidence band, when there are several seeds. */
  readonly lo?: number | null;
  readonly hi?: number | null;
}

export interface Series {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /** Drawn dashed (a total next to its parts, a reference line). */
  readonly dashed?: boolean;
}

export interface Marker {
  readonly x: number;
  readonly label: string;
}

export interface LineChart {
  /** A file-name-safe id: the SVG is charts/<id>.svg next to results.md. */
  readonly id: string;
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series: readonly Series[];
  /** Vertical rules with a label: the maximum without loss, say. */
  readonly markers?: readonly Marker[];
  /** Format of y tick labels: 'percent' for fractions. */
  readonly yFormat?: 'percent' | 'number';
  readonly xFormat?: 'percent' | 'number';
  /** Logarithmic y (latencies spanning decades). */
  readonly yLog?: boolean;
}

const WIDTH = 420;
const HEIGHT = 240;

/** The vega-lite specification of a chart (exported for tests and for readers who want to restyle it). */
export function vegaLiteSpec(c: LineChart): vl.TopLevelSpec {
  const rows = c.series.flatMap((s) =>
    s.points.filter((p) => p.y !== null).map((p) => ({ series: s.name, dashed: s.dashed === true, x: p.x, y: p.y, lo: p.lo ?? null, hi: p.hi ?? null })),
  );
  const order = c.series.map((s) => s.name);
  const fmt = (f: LineChart['yFormat']): string => (f === 'percent' ? '.0%' : ',~f');
  const x = { field: 'x', type: 'quantitative' as const, title: c.xTitle, axis: { format: fmt(c.xFormat) } };
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: c.yTitle,
    axis: { format: c.yLog ? '~g' : fmt(c.yFormat) },
    ...(c.yLog ? { scale: { type: 'log' as const } } : {}),
  };
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: order, legend: { orient: 'bottom' as const, columns: 2, labelLimit: 320 } };
  const hasBand = rows.some((r) => r.lo !== null && r.hi !== null && r.hi > r.lo);
  const layers: object[] = [
    {
      mark: { type: 'line', point: { size: 30 }, strokeWidth: 2 },
      encoding: { x, y, color, strokeDash: { field: 'dashed', type: 'nominal', legend: null, scale: { domain: [false, true], range: [[1, 0], [6, 4]] } } },
    },
  ];
  if (hasBand) {
    layers.unshift({
      transform: [{ filter: 'datum.lo !== null && datum.hi !== null' }],
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    });
  }
  const markers = c.markers ?? [];
  if (markers.length > 0) {
    layers.push({
      data: { values: markers.map((m) => ({ x: m.x, label: m.label })) },
      layer: [
        { mark: { type: 'rule', strokeDash: [3, 3], color: '#666' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
        { mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dy: -3, y: 4, fontSize: 10, color: '#444' }, encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: c.title, anchor: 'start', fontSize: 13 },
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: layers,
    config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ccc' } },
  } as vl.TopLevelSpec;
}

/**
 * vega and vega-lite, loaded on the first chart: loading them takes ~0.4 s, which every command (even `--help`) paid
 * when this module imported them, since the CLI registers `reproduce` (whose report renders charts) at start-up.
 */
let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
const loadVega = (): Promise<[typeof import('vega'), typeof import('vega-lite')]> => (libraries ??= Promise.all([import('vega'), import('vega-lite')]));

/** The chart as a standalone SVG document. */
export async function renderSvg(c: LineChart): Promise<string> {
  const [vega, vegaLite] = await loadVega();
  const compiled = vegaLite.compile(vegaLiteSpec(c)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Ids (clip paths, gradients) must stay unique when several charts are inlined in one page.
    return svg.replace(/\bid="([^"]+)"/g, `id="${c.id}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${c.id}-$1)`);
  } finally {
    view.finalize();
  }
}
