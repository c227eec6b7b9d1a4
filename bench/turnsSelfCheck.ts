/**
 * Proves the turns benchmark end to end without the product: the stock echo bot stands in for it, so
 * `turns.ratio_vs_stock_echo` should come out near 1. Not part of `npm test` or `npm run bench`.
 * Run `npx tsc -p tsconfig.build.json && node dist/bench/turnsSelfCheck.js [durationMs] [inProcess|childProcess] [rounds]`.
 */
import path from 'node:path';
import { startServerProcess } from './childProcess';
import { benchTurns } from './turns';

async function main(): Promise<void> {
  const durationMs = Number(process.argv[2] ?? 10_000);
  const emulator = process.argv[3] === 'childProcess' ? 'childProcess' : 'inProcess';
  const rounds = Number(process.argv[4] ?? 1);
  const figures = await benchTurns({
    startProduct: () => startServerProcess(path.join(__dirname, 'baselines', 'stockEcho.js')),
    durationMs,
    emulator,
    rounds,
    // The echo bot has no Anliegen to list.
    stateTurn: false,
  });
  for (const figure of figures) {
    process.stdout.write(`${figure.name.padEnd(40)} ${figure.value.toFixed(figure.unit === 'x' ? 3 : 1).padStart(10)} ${figure.unit}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
