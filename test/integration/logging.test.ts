import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogSink } from '../../src/main/logging';
import { Store } from '../../src/main/store';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();

describe('logs', () => {
  it('writes structured entries to the workspace and to a file, and filters them', () => {
    const dir = tmp();
    const store = Store.open(join(dir, 'w.sqlite'));
    const sink = new LogSink({ store, logsDir: join(dir, 'logs') });
    const log = sink.logger('ingest');
    log.info('Imported wafer_08012020_120000.csv', { rows: 100 });
    log.error('Quarantined Wafer_text_130532.csv', { reasons: 3 });
    sink.logger('train').warn('Cluster 2 has one class');
    expect(store.logs.list({ limit: 10 }).map((e) => e.message)).toHaveLength(3);
    expect(store.logs.list({ levels: ['error'], limit: 10 })[0]).toMatchObject({
      component: 'ingest',
      context: { reasons: 3 },
    });
    expect(store.logs.list({ component: 'train', limit: 10 })).toHaveLength(1);
    expect(store.logs.list({ since: new Date(Date.now() + 60_000).toISOString(), limit: 10 })).toHaveLength(0);
    expect(store.logs.list({ search: '100%_', limit: 10 })).toHaveLength(0);
    expect(store.logs.components()).toEqual(['ingest', 'train']);
    const lines = readFileSync(join(dir, 'logs', 'wafer-fault-studio.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', component: 'ingest', context: { rows: 100 } });
    store.close();
  });

  it('rotates the log file by size and keeps a bounded number of old files', () => {
    const dir = tmp();
    const sink = new LogSink({ logsDir: dir, maxBytes: 2000, keep: 2 });
    for (let i = 0; i < 200; i++) sink.logger('bulk').info(`line ${i} ${'x'.repeat(40)}`);
    expect(existsSync(join(dir, 'wafer-fault-studio.log'))).toBe(true);
    expect(existsSync(join(dir, 'wafer-fault-studio.1.log'))).toBe(true);
    expect(existsSync(join(dir, 'wafer-fault-studio.2.log'))).toBe(true);
    expect(existsSync(join(dir, 'wafer-fault-studio.3.log'))).toBe(false);
  });
});
