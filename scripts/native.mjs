// Makes sure better-sqlite3's native build matches the runtime about to use it: Node for tests, the
// CLI and benchmarks; Electron for `npm start`. The two ABIs differ, so switching rebuilds from source
// (about a minute). Usage: node scripts/native.mjs node|electron
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const target = process.argv[2];
const require = createRequire(import.meta.url);
// Records which runtime the current build is for, so `npm start` rebuilds only when it must.
const marker = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'wfs-runtime.txt');

function nodeBuildWorks() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], {
    encoding: 'utf8',
  });
  return r.status === 0;
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (target === 'node') {
  if (!nodeBuildWorks()) {
    console.error('better-sqlite3 is built for another runtime; rebuilding it for Node…');
    run('npm', ['rebuild', 'better-sqlite3', '--build-from-source']);
    rmSync(marker, { force: true });
    if (!nodeBuildWorks()) {
      console.error('better-sqlite3 still does not load under Node.');
      process.exit(1);
    }
  }
} else if (target === 'electron') {
  let electronPath;
  try {
    electronPath = require('electron');
  } catch {
    electronPath = null;
  }
  if (!electronPath || !existsSync(electronPath)) {
    console.error(
      'The Electron binary is not installed (was ELECTRON_SKIP_BINARY_DOWNLOAD set?). Run `npm rebuild electron` with internet access,\n' +
        'or use the headless host: `npm run cli -- serve` and open the URL it prints.',
    );
    process.exit(1);
  }
  const version = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === `electron-${version}`) process.exit(0);
  // Electron's ABI: rebuild against its headers (node-gyp fetches them once, then caches them).
  run('npm', ['rebuild', 'better-sqlite3', '--build-from-source'], {
    npm_config_runtime: 'electron',
    npm_config_target: version,
    npm_config_disturl: 'https://electronjs.org/headers',
  });
  writeFileSync(marker, `electron-${version}`);
} else {
  console.error('usage: node scripts/native.mjs node|electron');
  process.exit(2);
}
