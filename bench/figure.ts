/** One benchmark figure, printed by `npm run bench` as `name: value unit` (contracts.md §3). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}
