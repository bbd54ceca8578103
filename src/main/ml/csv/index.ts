// Public surface of the byte-level CSV reader used by ingest (tokenizer, number parsing, scaled words).
export { CsvTokenizer, parseCsv, type CsvSink, type TokenizerOptions } from './tokenizer';
export { parseDecimalBytes } from './number';
export { WORD_MISSING, WORD_RAW, WORD_MANTISSA_LIMIT, wordValue } from './words';
