/**
 * The Electron shell: one window with contextIsolation, sandbox and no nodeIntegration, a strict CSP,
 * navigation and new windows blocked, no remote content; the contract bound to IPC; File > New / Open
 * workspace. Everything else lives in services and runs under plain Node too.
 */
import { app, BrowserWindow, dialog, Menu, session, shell as electronShell } from 'electron';
import { copyFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { closeAppContext, openAppContext, type AppContext } from './services/context';
import { createRegistry } from './services';
import { resumeWatching } from './services/watch';
import { bindIpc, forwardEvents } from './shell/ipc';
import { buildMenu } from './shell/menu';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isAllowedRequest, WEB_PREFERENCES } from './shell/security-policy';
import { AppError, toErrorShape } from './errors';
import { stagingDir } from './host/serve';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
let ctx: AppContext | null = null;
let win: BrowserWindow | null = null;
let stopEvents: (() => void) | null = null;

function workspacePath(): string {
  return process.env.WFS_WORKSPACE ?? join(app.getPath('userData'), 'workspace.sqlite');
}

function appUrl(): string {
  return devServerUrl ?? `file://${join(__dirname, '../renderer/index.html')}`;
}

async function switchWorkspace(path: string): Promise<void> {
  try {
    const next = openAppContext({ workspacePath: path, host: 'electron', logsDir: app.getPath('logs') });
    if (ctx) await closeAppContext(ctx);
    ctx = next;
    resumeWatching(ctx);
    if (win) {
      stopEvents?.();
      stopEvents = forwardEvents(ctx, win.webContents);
      win.setTitle(`Wafer Fault Studio — ${path}`);
      win.webContents.reload();
    }
  } catch (error) {
    dialog.showErrorBox('Could not open the workspace', toErrorShape(error).message);
  }
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Wafer Fault Studio',
    webPreferences: { ...WEB_PREFERENCES, preload: join(__dirname, '../preload/index.js') },
  });
  win.once('ready-to-show', () => win?.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; the app never opens a second window.
    if (url.startsWith('https:')) void electronShell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl())) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  if (ctx) stopEvents = forwardEvents(ctx, win.webContents);
  void win.loadURL(appUrl());
}

app.enableSandbox();
void app.whenReady().then(async () => {
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, devServerUrl) });
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const registry = createRegistry({
    // Exports are written to the staging folder first; this lets the user choose where the copy goes.
    'files/save-as': async (input, context) => {
      const source = resolve(input.path);
      if (!source.startsWith(resolve(stagingDir(context)) + sep)) {
        throw new AppError('invalid_input', 'Only files the app exported can be saved from here.');
      }
      const choice = win
        ? await dialog.showSaveDialog(win, { defaultPath: input.name })
        : await dialog.showSaveDialog({ defaultPath: input.name });
      if (choice.canceled || !choice.filePath) return { saved: false, path: null };
      copyFileSync(source, choice.filePath);
      return { saved: true, path: choice.filePath };
    },
    'files/choose-folder': async (input) => {
      const options = { title: input.title ?? 'Choose a folder', properties: ['openDirectory' as const] };
      const choice = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return { path: choice.canceled ? null : (choice.filePaths[0] ?? null) };
    },
  });
  bindIpc(() => {
    if (!ctx) throw new Error('No workspace is open.');
    return ctx;
  }, registry, appUrl);
  await switchWorkspace(workspacePath());
  Menu.setApplicationMenu(
    buildMenu({
      newWorkspace: () => {
        void dialog
          .showSaveDialog({ title: 'New workspace', defaultPath: 'workspace.sqlite', filters: [{ name: 'Workspace', extensions: ['sqlite'] }] })
          .then((r) => (r.canceled || !r.filePath ? undefined : switchWorkspace(r.filePath)));
      },
      openWorkspace: () => {
        void dialog
          .showOpenDialog({ title: 'Open workspace', properties: ['openFile'], filters: [{ name: 'Workspace', extensions: ['sqlite'] }] })
          .then((r) => (r.canceled || !r.filePaths[0] ? undefined : switchWorkspace(r.filePaths[0])));
      },
    }),
  );
  createWindow();
});

app.on('window-all-closed', () => {
  void (async () => {
    if (ctx) await closeAppContext(ctx);
    ctx = null;
    app.quit();
  })();
});
