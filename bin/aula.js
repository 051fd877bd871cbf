#!/usr/bin/env node
// Runs the compiled CLI in dist/ as plain JavaScript; builds dist/ first when it is missing
// or older than src/ (`npm run build` does it explicitly, `npm ci` through `prepare`).
import { ensureBuilt } from './build.js';

ensureBuilt();
await import('../dist/cli.js');
