/**
 * The app frame: navigation for every page, the status bar with the workspace and running jobs, the
 * theme switch, the window-wide file drop (pages may claim it; unclaimed drops import training files on the
 * Data page), and a readiness marker (body[data-ready]) that end-to-end tests wait on instead of sleeps.
 */
import { useEffect, useState } from 'react';
import type { AppInfo } from '../../shared/contract';
import { api } from './api/client';
import { FileDropLayer } from './components/fileDrop';
import { importFiles, isBusy, useImport } from './components/importStore';
import { StatusBar } from './components/StatusBar';
import { PAGES, type PageId } from './pages';
import { MonitorAlertsBadge } from './pages/MonitorPage';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('wfs-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '').split('?')[0] as PageId;
  return PAGES.some((p) => p.id === id) ? id : 'data';
}

export function App() {
  const [page, setPage] = useState<PageId>(pageFromHash);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('wfs-theme', theme);
  }, [theme]);

  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    api.invoke('app/info', {}).then(
      (i) => {
        setInfo(i);
        document.body.dataset.ready = 'true';
      },
      (e: unknown) => setFatal(e instanceof Error ? e.message : String(e)),
    );
  }, []);

  const imp = useImport();
  const dropFallback = {
    label: isBusy(imp) ? 'An import is running — wait for it to finish' : `Drop to import as ${imp.kind} files`,
    onDrop: (files: Parameters<typeof importFiles>[0]) => {
      window.location.hash = '#/data';
      void importFiles(files);
    },
  };

  const current = PAGES.find((p) => p.id === page)!;
  const Page = current.component;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <circle cx="16" cy="16" r="14" fill="none" stroke="currentColor" strokeWidth="2.5" />
            <path d="M4 20h24" stroke="currentColor" strokeWidth="2" />
            <circle cx="11" cy="12" r="2" fill="var(--accent)" />
            <circle cx="19" cy="10" r="2" fill="currentColor" />
            <circle cx="21" cy="16" r="2" fill="var(--bad)" />
          </svg>
          <div>
            <div className="brand-name">Wafer Fault Studio</div>
            <div className="brand-version">{info ? `v${info.version}` : ' '}</div>
          </div>
        </div>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a
                href={`#/${p.id}`}
                className={p.id === page ? 'active' : ''}
                aria-current={p.id === page ? 'page' : undefined}
                data-testid={`nav-${p.id}`}
              >
                <span className="nav-icon" aria-hidden="true">
                  {p.icon}
                </span>
                {p.title}
                {p.id === 'monitor' && <MonitorAlertsBadge />}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <button
            type="button"
            className="ghost"
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            data-testid="theme-toggle"
          >
            {theme === 'dark' ? '☀ Light theme' : '☾ Dark theme'}
          </button>
        </div>
      </nav>
      <main className="content" aria-labelledby="page-title">
        <header className="page-header">
          <h1 id="page-title">{current.title}</h1>
          <p className="page-lede">{current.lede}</p>
        </header>
        {fatal ? (
          <div className="callout error" role="alert">
            The app could not reach its workspace: {fatal}
          </div>
        ) : (
          <Page />
        )}
      </main>
      <StatusBar info={info} />
      <FileDropLayer fallback={dropFallback} />
    </div>
  );
}
