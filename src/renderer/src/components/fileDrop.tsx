/**
 * Window-wide file drop. Files or whole folders dragged anywhere onto the window show an overlay; the drop
 * goes to whichever page has claimed it (`useFileDrop`, latest claim wins), else to the app's fallback
 * (import as training files on the Data page). Folders are walked through webkitGetAsEntry so every file
 * keeps its relative folder and equal names in different folders do not clash.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { StagedInput } from '../api/client';

export interface DropClaim {
  /** What the overlay says a drop will do, e.g. "Drop to import as training files". */
  label: string;
  onDrop(files: StagedInput[]): void;
}

interface DropState {
  dragging: boolean;
  claims: { current: DropClaim }[];
}

let state: DropState = { dragging: false, claims: [] };
const listeners = new Set<() => void>();
function setState(next: Partial<DropState>) {
  state = { ...state, ...next };
  for (const l of listeners) l();
}
function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Claims window drops while the calling component is mounted (pass null to leave them to others). */
export function useFileDrop(claim: DropClaim | null): void {
  // A ref so a page can pass a fresh object every render without re-registering.
  const ref = useRef<DropClaim | null>(claim);
  ref.current = claim;
  const active = claim !== null;
  useEffect(() => {
    if (!active) return;
    const entry = {
      get current() {
        return ref.current!;
      },
    };
    setState({ claims: [...state.claims, entry] });
    return () => setState({ claims: state.claims.filter((c) => c !== entry) });
  }, [active]);
}

/** True while files are being dragged over the window (pages use it to highlight their drop zone). */
export function useDragActive(): boolean {
  return useSyncExternalStore(subscribe, () => state.dragging);
}

function carriesFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries hands out at most ~100 entries per call; keep reading until an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, dir: string, out: StagedInput[]): Promise<void> {
  // Hidden files (.DS_Store, ._foo) are never batch files.
  if (entry.name.startsWith('.')) return;
  if (entry.isFile) {
    const file = await entryFile(entry as FileSystemFileEntry);
    out.push(dir ? { file, dir } : { file });
  } else if (entry.isDirectory) {
    const sub = dir ? `${dir}/${entry.name}` : entry.name;
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, sub, out);
  }
}

/**
 * Every file in a drop, folders walked recursively. Entries must be taken synchronously inside the drop
 * handler (the DataTransfer is emptied afterwards); the walk itself is asynchronous.
 */
export function collectDroppedFiles(dt: DataTransfer): Promise<StagedInput[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      // Synthetic DataTransfers (and some hosts) give no entries; the File itself is enough.
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dt.files));
  return (async () => {
    const out: StagedInput[] = loose.map((file) => ({ file }));
    for (const e of entries) await walk(e, '', out);
    return out;
  })();
}

/** Files from an <input type=file> (with webkitdirectory the relative path names each file's folder). */
export function filesFromInput(list: FileList | null): StagedInput[] {
  return Array.from(list ?? [])
    .filter((f) => !f.name.startsWith('.'))
    .map((file) => {
      const rel = file.webkitRelativePath;
      const dir = rel ? rel.split('/').slice(0, -1).join('/') : '';
      return dir ? { file, dir } : { file };
    });
}

/** Installs the window listeners and renders the overlay; `fallback` takes drops no page has claimed. */
export function FileDropLayer({ fallback }: { fallback: DropClaim }) {
  const fallbackRef = useRef(fallback);
  fallbackRef.current = fallback;
  const dragging = useDragActive();
  const claims = useSyncExternalStore(subscribe, () => state.claims);
  useEffect(() => {
    // dragenter/dragleave fire for every child element; count them to know when the drag left the window.
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth++;
      if (!state.dragging) setState({ dragging: true });
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      // Without preventDefault the browser would open the file instead of letting us handle the drop.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      if (!state.dragging) setState({ dragging: true });
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setState({ dragging: false });
    };
    const onDrop = (e: DragEvent) => {
      depth = 0;
      setState({ dragging: false });
      if (!e.dataTransfer || !carriesFiles(e)) return;
      e.preventDefault();
      const target = state.claims.at(-1)?.current ?? fallbackRef.current;
      void collectDroppedFiles(e.dataTransfer).then((files) => {
        if (files.length > 0) target.onDrop(files);
      });
    };
    const onEnd = () => {
      depth = 0;
      setState({ dragging: false });
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    window.addEventListener('dragend', onEnd);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('dragend', onEnd);
    };
  }, []);
  if (!dragging) return null;
  const label = claims.at(-1)?.current.label ?? fallback.label;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-live="assertive">
      <div className="drop-overlay-inner">
        <div className="drop-overlay-icon" aria-hidden="true">
          ⇩
        </div>
        {label}
        <div className="drop-overlay-hint">Files or whole folders; CSV batch files are checked against the schema.</div>
      </div>
    </div>
  );
}
