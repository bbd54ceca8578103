import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/main/services';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { HandlerRegistry } from '../../src/main/services/registry';
import { appHandlers } from '../../src/main/services/app';
import { useTempDir } from '../helpers/tmp';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

useTempDir();
let ctx: AppContext;
beforeAll(() => {
  ctx = openAppContext({ workspacePath: join(mkdtempSync(join(tmpdir(), 'wfs-reg-')), 'w.sqlite'), host: 'cli', poolSize: 1 });
});
afterAll(async () => closeAppContext(ctx));

describe('handler registry', () => {
  it('has a handler for every channel in the contract', () => {
    expect(createRegistry().missing()).toEqual([]);
  });

  it('refuses to register a channel twice', () => {
    expect(() => new HandlerRegistry().register(appHandlers).register(appHandlers)).toThrow(/registered twice/);
  });

  it('validates input against the contract before the handler runs', async () => {
    const registry = createRegistry();
    const bad = await registry.dispatch(ctx, 'logs/list', { limit: 'many' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_input');
      expect(bad.error.message).toContain('limit');
    }
    const extra = await registry.dispatch(ctx, 'app/info', { sneaky: true });
    expect(extra.ok).toBe(false);
  });

  it('answers an unknown channel with a stable code', async () => {
    const result = await createRegistry().dispatch(ctx, 'files/delete-everything', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
  });

  it('returns plain values for a valid call', async () => {
    const result = await createRegistry().dispatch(ctx, 'app/info', {});
    expect(result).toMatchObject({ ok: true, value: { name: 'Wafer Fault Studio', workspacePath: ctx.workspacePath } });
  });
});
