/**
 * The few Plotly entry points the charts use: plotly.js-dist-min ships no types, and the full
 * @types/plotly.js is not installed, so this stays deliberately loose.
 */
declare module 'plotly.js-dist-min' {
  export type Datum = Record<string, unknown>;
  export interface PlotlyStatic {
    react(root: HTMLElement, data: Datum[], layout?: Datum, config?: Datum): Promise<unknown>;
    purge(root: HTMLElement): void;
    Plots: { resize(root: HTMLElement): void };
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
