// Public surface of the byte-level CSV reader used by ingest (tokenizer, number parsing).
export { CsvTokenizer, parseCsv, type CsvSink, type TokenizerOptions } from './tokenizer';
export { parseDecimalBytes } from './number';
