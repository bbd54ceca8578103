/**
 * The "Choose files…" and "Choose folder…" buttons of a drop zone, with their hidden file inputs (the
 * folder one reads whole folders); either hands the chosen files on, as a window drop would.
 */
import { useRef, type ChangeEvent } from 'react';
import type { StagedInput } from '../api/client';
import { filesFromInput } from './fileDrop';

export interface FilePickersProps {
  onFiles(files: StagedInput[]): void;
  disabled: boolean;
  /** The inputs' accessible names and test ids. */
  fileLabel: string;
  folderLabel: string;
  testIds: { file?: string; folder?: string };
}

export function FilePickers(p: FilePickersProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    p.onFiles(filesFromInput(e.target.files));
    e.target.value = '';
  };
  return (
    <>
      <button
        type="button"
        className="primary"
        onClick={() => fileInput.current?.click()}
        disabled={p.disabled}
      >
        Choose files…
      </button>
      <button type="button" onClick={() => folderInput.current?.click()} disabled={p.disabled}>
        Choose folder…
      </button>
      <input
        ref={fileInput}
        type="file"
        multiple
        accept=".csv,text/csv"
        hidden
        aria-label={p.fileLabel}
        data-testid={p.testIds.file}
        onChange={onChange}
      />
      <input
        ref={folderInput}
        type="file"
        multiple
        hidden
        aria-label={p.folderLabel}
        data-testid={p.testIds.folder}
        {...{ webkitdirectory: '' }}
        onChange={onChange}
      />
    </>
  );
}
