import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    // zod is bundled: loaded from node_modules it is ~95 files and ~100 ms before the CLI can start; bundled
    // (tree-shaken, one file) about half that.
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/host/cli.ts'),
          worker: resolve(__dirname, 'src/main/workers/worker.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload can only require 'electron': bundle everything else it uses.
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      chunkSizeWarningLimit: 6000,
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
});
