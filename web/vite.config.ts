import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API server that `npm run dev:web` proxies to (an `npm start` running beside it).
const api = process.env.AULA_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/admin/queues': { target: api },
      '/docs': { target: api },
    },
  },
});
