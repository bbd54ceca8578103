/** A workspace with a model in Production: the seeded training batch imported, trained, approved, promoted. */
import { join } from 'node:path';
import type { AppContext } from '../../src/main/services/context';
import { startIngest } from '../../src/main/services/data';
import { approveVersion, promoteVersion } from '../../src/main/services/models';
import { startTraining } from '../../src/main/services/training';
import { SMALL_CONFIG, writeTrainingBatch } from './training-data';

/** Trains on files written under dir/train and puts the version in Production; returns its number. */
export async function trainIntoProduction(ctx: AppContext, dir: string): Promise<number> {
  await ctx.jobs.wait(startIngest(ctx, 'training', [writeTrainingBatch(join(dir, 'train'))]).id);
  const job = await ctx.jobs.wait(startTraining(ctx, { config: SMALL_CONFIG }).id);
  const { modelVersion } = job.result as { modelVersion: number };
  await approveVersion(ctx, modelVersion, 'ok', 'tester');
  await promoteVersion(ctx, modelVersion, 'production', undefined, 'tester');
  return modelVersion;
}
