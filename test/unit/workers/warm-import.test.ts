import { describe, expect, it } from 'vitest';
import { schemaLayout, WAFER_PREDICTION_SCHEMA, type DataSchema } from '../../../src/shared/schema';
import { warmImportPath } from '../../../src/main/workers/tasks/ingest';

/** Column-major sample rows over the schema's features: short decimals, every seventh cell missing. */
function sampleFor(schema: DataSchema, nRows: number) {
  const featureNames = schemaLayout(schema).featureIndexes.map((i) => schema.columns[i]!.name);
  const X = new Float64Array(featureNames.length * nRows);
  for (let i = 0; i < X.length; i++) X[i] = i % 7 === 3 ? NaN : Math.round((i % 997) * 13.7) / 100 - 20;
  return { X, nRows, featureNames };
}

describe('warming the import path', () => {
  it('parses files that the schema accepts, so the row path (values, stored-row encoding) runs too', () => {
    expect(warmImportPath(WAFER_PREDICTION_SCHEMA, sampleFor(WAFER_PREDICTION_SCHEMA, 200))).toEqual({
      status: 'good',
      rows: 200,
    });
  });

  it('quotes awkward column names and follows the stamp lengths and label of any schema', () => {
    const schema: DataSchema = {
      ...WAFER_PREDICTION_SCHEMA,
      namePrefix: 'lot_A',
      dateStampLength: 6,
      timeStampLength: 4,
      numberOfColumns: 4,
      columns: [
        { name: 'Wafer, id', type: 'varchar' },
        { name: 'Temp "C"', type: 'float' },
        { name: 'Pressure', type: 'float' },
        { name: 'Good/Bad', type: 'integer' },
      ],
      idColumn: 'Wafer, id',
      labelColumn: 'Good/Bad',
    };
    expect(warmImportPath(schema, sampleFor(schema, 30))).toEqual({ status: 'good', rows: 30 });
  });
});
