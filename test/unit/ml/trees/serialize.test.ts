import { describe, expect, it } from 'vitest';
import {
  binData,
  deserializeModel,
  fitForest,
  fitGbm,
  predictProba,
  runToEnd,
  serializeModel,
  ModelFormatError,
} from '../../../../src/main/ml/trees';
import { nonlinear } from './helpers';

describe('serialization', () => {
  const d = nonlinear(300, 1);
  const b = binData(d.X, d.nRows, d.nFeatures);
  const models = {
    gbm: runToEnd(fitGbm(b, d.y, { nEstimators: 10, maxDepth: 3 })),
    forest: runToEnd(fitForest(b, d.y, { nEstimators: 5 })),
  };

  for (const [kind, model] of Object.entries(models)) {
    it(`round-trips a ${kind} model through JSON`, () => {
      const json = JSON.stringify(serializeModel(model));
      const back = deserializeModel(JSON.parse(json));
      expect(back).toEqual(model);
      expect(predictProba(back, d.X, d.nRows)).toEqual(predictProba(model, d.X, d.nRows));
      expect(json.length).toBeLessThan(200_000);
    });
  }

  it('refuses unknown format versions and garbage with code model_format', () => {
    const s = serializeModel(models.gbm);
    for (const bad of [
      { ...s, formatVersion: 99 },
      { ...s, formatVersion: undefined },
      null,
      'x',
      { ...s, kind: 'svm' },
    ]) {
      let err: unknown;
      try {
        deserializeModel(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as { code: string }).code).toBe('model_format');
    }
    const broken = { ...s, trees: { ...s.trees, value: 'AAAA' } };
    expect(() => deserializeModel(broken)).toThrow(ModelFormatError);
  });
});
