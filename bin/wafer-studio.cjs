#!/usr/bin/env node
// The CLI's launcher: runs the built CLI (out/main/cli.js), building it first when it is missing or
// older than the sources, so `npm run cli -- ...` works straight after `npm install`.
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const built = join(root, 'out/main/cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const srcDir = join(root, 'src');
if (existsSync(srcDir) && (!existsSync(built) || statSync(built).mtimeMs < newestSource(srcDir))) {
  process.stderr.write('Building Wafer Fault Studio (first run or sources changed)...\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (result.status !== 0) {
    process.stderr.write(String(result.stderr));
    process.stderr.write('Build failed; run `npm run build` to see why.\n');
    process.exit(1);
  }
}

require(built)
  .runCli(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
      process.exitCode = 1;
    },
  );
