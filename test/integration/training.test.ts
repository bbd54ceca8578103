import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../src/shared/contract';
import { checkBundle, explanationLookup, predictWithBundle } from '../../src/main/ml/pipeline/bundle';
import { decodeExplanation } from '../../src/main/ml/pipeline/explanation';
import { sampleRows } from '../../src/main/ml/preprocess';
import { ScratchArrays } from '../../src/main/ml/scratch';
import { decodeStoredBundle } from '../../src/main/store/bundle-codec';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { startIngest } from '../../src/main/services/data';
import {
  approveVersion,
  archiveVersion,
  exportVersion,
  importVersion,
  loadBundle,
  promoteVersion,
  rejectVersion,
  rollbackProduction,
  versionDetail,
} from '../../src/main/services/models';
import { evaluateGates, startTraining } from '../../src/main/services/training';
import { trainingConfigZ } from '../../src/shared/training-config';
import { useTempDir } from '../helpers/tmp';
import { SMALL_CONFIG, writeTrainingBatch } from '../helpers/training-data';

const tmp = useTempDir();
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

async function trainedWorkspace(config: unknown = SMALL_CONFIG) {
  const dir = tmp();
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
  contexts.push(ctx);
  const data = writeTrainingBatch(join(dir, 'batch'));
  const ing = await ctx.jobs.wait(startIngest(ctx, 'training', [data]).id);
  expect((ing.result as IngestSummary).good).toBe(4);
  const job = await ctx.jobs.wait(startTraining(ctx, { config }).id);
  if (job.status !== 'succeeded') throw new Error(`${job.status}: ${job.error?.message}`);
  const { runId, modelVersion } = job.result as { runId: number; modelVersion: number };
  return { ctx, dir, runId, modelVersion };
}

/** The code a registry call fails with (they are async: they wait for the write lock). */
const codeOfAsync = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('training run (real workers, real SQLite)', () => {
  it('finds the regimes, trains a model per regime, records the run and a version behind its gates', async () => {
    const { ctx, runId, modelVersion } = await trainedWorkspace();
    const run = ctx.store.training.run(runId)!;
    expect(run.status).toBe('succeeded');
    expect(run.k).toBe(2);
    expect(run.elbow?.knee).toBe(2);
    expect(run.clusters).toHaveLength(2);
    expect(run.clusters.every((c) => c.rows > 0 && ['gbm', 'forest', 'constant'].includes(c.family))).toBe(true);
    expect(run.global?.family).toMatch(/gbm|forest/);
    expect(run.pooled?.rocAuc).toBeGreaterThan(0.9);
    expect(run.repeatedCv?.repeats).toBe(3);
    expect(run.repeatedCv?.auc.mean).toBeGreaterThan(0.8);
    // Both strategies are cross-validated; the better repeated-CV AUC is deployed and is the one shown.
    const both = run.repeatedCvByStrategy!;
    expect(both.perCluster?.repeats).toBe(3);
    expect(both.global?.repeats).toBe(3);
    const globalWins = both.global!.auc.mean > both.perCluster!.auc.mean;
    expect(run.global?.betterThanPerCluster).toBe(globalWins);
    expect(run.repeatedCv).toEqual(globalWins ? both.global : both.perCluster);
    expect(run.strategyNote).toContain('decided by the repeated CV');
    expect(run.grid.length).toBe((4 + 2) * 3);
    expect(run.fingerprint.files).toHaveLength(4);
    expect(run.gates.map((g) => g.metric)).toEqual(['accuracy', 'rocAuc']);
    const v = versionDetail(ctx, modelVersion);
    expect(v.status).toBe('pending_approval');
    expect(v.events[0]?.action).toBe('created');
  });

  it('predicting the training rows gives exactly the run held-out probabilities (state reused, not refitted)', async () => {
    const { ctx, runId, modelVersion } = await trainedWorkspace();
    const run = ctx.store.training.run(runId)!;
    const version = ctx.store.registry.byVersion(modelVersion)!;
    const bundle = loadBundle(ctx, version.id);
    const files = ctx.store.files.goodFiles('training');
    const m = ctx.store.rows.matrixForFiles(files.map((f) => f.id), bundle.featureNames.length);
    const p = predictWithBundle(bundle, m.X, m.nRows);
    const byRowId = new Map(Array.from(m.rowIds, (id, i) => [id, p.prob[i]!]));
    expect(run.heldOut!.rowIds.length).toBeGreaterThan(50);
    run.heldOut!.rowIds.forEach((id, i) => expect(byRowId.get(id)).toBe(run.heldOut!.probs[i]));
    // Explanations come in their stored form: at most 5 sensors each way, strongest first, each with
    // its raw value and the regime's training range.
    const explained = predictWithBundle(bundle, m.X, m.nRows, { explain: 5 });
    expect(Array.from(explained.prob)).toEqual(Array.from(p.prob));
    const lookup = explanationLookup(bundle);
    explained.explanations!.forEach((stored, r) => {
      const e = decodeExplanation(stored, lookup, explained.cluster[r]!);
      expect(e.towardsFaulty.length + e.towardsGood.length).toBeGreaterThan(0);
      for (const [list, sign] of [[e.towardsFaulty, 1], [e.towardsGood, -1]] as const) {
        expect(list.length).toBeLessThanOrEqual(5);
        list.forEach((s, i) => {
          expect(Math.sign(s.effect)).toBe(sign);
          if (i > 0) expect(sign * s.effect).toBeLessThanOrEqual(sign * list[i - 1]!.effect);
          const f = bundle.featureNames.indexOf(s.sensor);
          const raw = m.X[f * m.nRows + r]!;
          expect(s.value).toBe(Number.isNaN(raw) ? null : raw);
          const k = bundle.preprocess.keptNames.indexOf(s.sensor);
          expect(s.low).toBe(lookup.low[explained.cluster[r]!]![k]);
          expect(s.high).toBe(lookup.high[explained.cluster[r]!]![k]);
        });
      }
    });
    // Workers score part after part with one set of reused arrays: parts that grow and shrink, with
    // other regimes in each, must give exactly what one call over every row gives.
    const arrays = new ScratchArrays();
    const nF = bundle.featureNames.length;
    for (let start = 0, i = 0; start < m.nRows; i++) {
      const n = Math.min([7, 120, 3, 50][i % 4]!, m.nRows - start);
      const part = new Float64Array(n * nF);
      for (let f = 0; f < nF; f++) part.set(m.X.subarray(f * m.nRows + start, f * m.nRows + start + n), f * n);
      const scored = predictWithBundle(bundle, part, n, { explain: 5, scratch: arrays });
      expect(Array.from(scored.prob)).toEqual(Array.from(explained.prob.subarray(start, start + n)));
      expect(scored.explanations).toEqual(explained.explanations!.slice(start, start + n));
      start += n;
    }
  });

  it('a cancelled run is marked cancelled and leaves the registry untouched', async () => {
    const dir = tmp();
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
    contexts.push(ctx);
    await ctx.jobs.wait(startIngest(ctx, 'training', [writeTrainingBatch(join(dir, 'batch'))]).id);
    const job = startTraining(ctx, { config: { ...SMALL_CONFIG, families: { gbm: { enabled: true, grid: { nEstimators: [2000], maxDepth: [6], learningRate: [0.01] } }, forest: { enabled: false } } } });
    const off = ctx.events.subscribe((event, payload) => {
      const info = payload as { id: string; progress: { stage: string } };
      if (event === 'jobs/changed' && info.id === job.id && info.progress.stage === 'training models') ctx.jobs.cancel(job.id);
    });
    const final = await ctx.jobs.wait(job.id);
    off();
    expect(final.status).toBe('cancelled');
    expect(ctx.store.training.runs(10)[0]?.status).toBe('cancelled');
    expect(ctx.store.registry.list()).toHaveLength(0);
  });

  it('refuses an invalid config with the field and the reason', () => {
    const parsed = trainingConfigZ.safeParse({ cvFolds: 1, clusters: { mode: 'fixed' } });
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('cvFolds');
  });

  it("takes maxBins as 'auto' (the default) or a whole number from 2 to 255", () => {
    expect(trainingConfigZ.parse({}).maxBins).toBe('auto');
    expect(trainingConfigZ.parse({ maxBins: 32 }).maxBins).toBe(32);
    for (const bad of [1, 256, 12.5, 'fine']) {
      const parsed = trainingConfigZ.safeParse({ maxBins: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path.join('.')).toBe('maxBins');
    }
  });
});

describe('quality gates', () => {
  it('passes and fails each gate by value, skipping disabled ones', () => {
    const config = trainingConfigZ.parse({ gates: { minAccuracy: 0.8, minF1: 0.75, minRecall: 0.85, minRocAuc: null, minPrAuc: 0.3 } });
    const metrics = { accuracy: 0.9, f1: 0.74, recall: 0.85, rocAuc: 0.5, prAuc: null } as never;
    const gates = evaluateGates(config, metrics);
    expect(gates.map((g) => [g.metric, g.passed])).toEqual([
      ['accuracy', true],
      ['f1', false],
      ['recall', true],
      ['prAuc', false],
    ]);
  });
});

describe('model registry rules', () => {
  it('nothing unapproved reaches Production; promotion keeps the previous Production for rollback', async () => {
    const { ctx, modelVersion: v1 } = await trainedWorkspace();
    expect(await codeOfAsync(() => promoteVersion(ctx, v1, 'production', undefined, 'tester'))).toBe('not_approved');
    expect(await codeOfAsync(() => rejectVersion(ctx, v1, '  ', 'tester'))).toBe('invalid_input');
    await approveVersion(ctx, v1, 'looks right', 'alice');
    expect(await codeOfAsync(() => approveVersion(ctx, v1, undefined, 'alice'))).toBe('conflict');
    await promoteVersion(ctx, v1, 'production', 'first', 'alice');
    // A second version from a second run.
    const second = await ctx.jobs.wait(startTraining(ctx, { config: SMALL_CONFIG }).id);
    const v2 = (second.result as { modelVersion: number }).modelVersion;
    expect(await codeOfAsync(() => promoteVersion(ctx, v2, 'production', undefined, 'bob'))).toBe('not_approved');
    await approveVersion(ctx, v2, undefined, 'bob');
    await promoteVersion(ctx, v2, 'production', undefined, 'bob');
    expect(ctx.store.registry.alias('production')).toMatchObject({ previousVersionId: ctx.store.registry.byVersion(v1)!.id });
    expect(await codeOfAsync(() => archiveVersion(ctx, v2, undefined, 'bob'))).toBe('conflict');
    expect(await codeOfAsync(() => rejectVersion(ctx, v2, 'bad', 'bob'))).toBe('conflict');
    const back = await rollbackProduction(ctx, 'v2 misbehaves', 'carol');
    expect(back.version).toBe(v1);
    expect(back.stages).toEqual(['production']);
    expect(await codeOfAsync(() => rollbackProduction(ctx, undefined, 'carol'))).toBe('conflict');
    const trail = ctx.store.registry.events().map((e) => `${e.version}:${e.action}:${e.user}`);
    expect(trail).toEqual([
      `${v1}:created:${trail[0]!.split(':')[2]}`,
      `${v1}:approved:alice`,
      `${v1}:promoted to production:alice`,
      `${v2}:created:${trail[3]!.split(':')[2]}`,
      `${v2}:approved:bob`,
      `${v2}:promoted to production:bob`,
      `${v1}:rolled back to production:carol`,
    ]);
  });

  it('a version that failed its gates cannot be approved', async () => {
    // A threshold no probability reaches flags no wafer, so the recall gate must fail.
    const { ctx, modelVersion } = await trainedWorkspace({ ...SMALL_CONFIG, threshold: { rule: 'fixed', value: 0.999999 }, gates: { ...SMALL_CONFIG.gates, minRecall: 0.5 } });
    const v = versionDetail(ctx, modelVersion);
    expect(v.gates.find((g) => g.metric === 'recall')).toMatchObject({ value: 0, passed: false });
    expect(v.status).toBe('rejected_by_gates');
    expect(await codeOfAsync(() => approveVersion(ctx, modelVersion, undefined, 'x'))).toBe('conflict');
  });

  it('exports a version as one file and refuses a tampered or unknown-format file', async () => {
    const { ctx, dir, modelVersion } = await trainedWorkspace();
    const path = join(dir, 'model.wfsmodel');
    exportVersion(ctx, modelVersion, path);
    const imported = await importVersion(ctx, path, 'dave');
    expect(imported.version).toBe(modelVersion + 1);
    expect(imported.status).toBe('pending_approval');
    expect(imported.sha256).toBe(versionDetail(ctx, modelVersion).sha256);
    checkBundle(loadBundle(ctx, ctx.store.registry.byVersion(imported.version)!.id));

    const file = JSON.parse(readFileSync(path, 'utf8')) as { formatVersion: number; manifest: { parts: { name: string }[] }; parts: Record<string, string> };
    // The bundle travels as the workspace stores it: the binary container.
    const partName = file.manifest.parts[0]!.name;
    expect(partName).toBe('bundle.wfsb');
    const bytes = Buffer.from(file.parts[partName]!, 'base64');
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(join(dir, 'tampered.wfsmodel'), JSON.stringify({ ...file, parts: { [partName]: bytes.toString('base64') } }));
    expect(await codeOfAsync(() => importVersion(ctx, join(dir, 'tampered.wfsmodel'), 'eve'))).toBe('checksum_mismatch');
    writeFileSync(join(dir, 'future.wfsmodel'), JSON.stringify({ ...file, formatVersion: 99 }));
    expect(await codeOfAsync(() => importVersion(ctx, join(dir, 'future.wfsmodel'), 'eve'))).toBe('model_format');
    expect(ctx.store.registry.list()).toHaveLength(2);

    // An export written by earlier versions (format 1: the bundle as gzip'd JSON) still imports, and
    // the imported version predicts exactly as the original.
    const original = loadBundle(ctx, ctx.store.registry.byVersion(modelVersion)!.id);
    const legacy = gzipSync(Buffer.from(JSON.stringify(decodeStoredBundle(Buffer.from(file.parts[partName]!, 'base64')))));
    const legacySha = createHash('sha256').update(legacy).digest('hex');
    const manifest = { ...(file as unknown as { manifest: Record<string, unknown> }).manifest, parts: [{ name: 'bundle.json.gz', sha256: legacySha, bytes: legacy.length }] };
    writeFileSync(join(dir, 'v1.wfsmodel'), JSON.stringify({ ...file, formatVersion: 1, manifest, parts: { 'bundle.json.gz': legacy.toString('base64') } }));
    const fromV1 = await importVersion(ctx, join(dir, 'v1.wfsmodel'), 'frank');
    expect(fromV1.sha256).toBe(legacySha);
    const reread = loadBundle(ctx, ctx.store.registry.byVersion(fromV1.version)!.id);
    const rows = sampleRows(original.preprocess, 30);
    expect(Array.from(predictWithBundle(reread, rows.X, rows.nRows).prob)).toEqual(Array.from(predictWithBundle(original, rows.X, rows.nRows).prob));
  });
});
