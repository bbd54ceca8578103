// Public surface of file validation (streaming checks of one batch file against a DataSchema).
export {
  createFileValidator,
  validateFileBytes,
  duplicateFileReason,
  type FileValidator,
  type FileValidatorOptions,
  type FileValidationResult,
  type ValidRow,
} from './fileValidator';
