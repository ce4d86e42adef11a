/// <reference lib="dom" />
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  stroke: string;
}

const HEIGHT = 130;

/**
 * One chart of the last minutes, drawn by uPlot: time on the x axis (seconds), one line per series, a legend
 * with the values under the cursor. Created on the first data, resized with its container.
 */
export class TimeChart {
  private plot: uPlot | undefined;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly series: ChartSeries[],
    private readonly unit: string,
  ) {
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resizeObserver.observe(container);
  }

  /** `times` in epoch seconds; one array of values per series, each as long as `times`. */
  update(times: number[], values: number[][]): void {
    const data: uPlot.AlignedData = [times, ...values];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    this.plot = new uPlot(
      {
        ...this.size(),
        series: [
          {},
          ...this.series.map((series) => ({
            label: series.label,
            stroke: series.stroke,
            width: 1.5,
            value: (_plot: uPlot, value: number | null) =>
              value === null ? '—' : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${this.unit}`,
          })),
        ],
        axes: [{ space: 60 }, { size: 48 }],
        scales: { y: { range: (_plot, _min, max) => [0, Math.max(1, max) * 1.1] } },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      this.container,
    );
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.container.clientWidth), height: HEIGHT };
  }
}
