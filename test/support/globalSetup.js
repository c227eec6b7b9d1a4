// Builds dist/ once before the suites run: some tests start the service as a real process
// (`node dist/bot/index.js`) to check signals, crashes and restarts. Incremental, so cheap when unchanged.
// Type errors do not stop the emit; `npm test` type-checks separately before jest starts.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '..', '..');
  const run = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) process.stderr.write(`\nbuild reported problems (dist/ was still written):\n${run.stdout}${run.stderr}\n`);
  // The personal tab's bundle (tab/dist), served by the service and driven by the browser tests.
  const tab = spawnSync(process.execPath, [path.join(root, 'dist', 'scripts', 'buildTab.js')], { cwd: root, encoding: 'utf8' });
  if (tab.status !== 0) throw new Error(`tab build failed:\n${tab.stdout}${tab.stderr}`);
};
