#!/usr/bin/env node
// Runs the benchmarks in bench/ through tsx: `npm run bench [name…]`.
import { register } from 'tsx/esm/api';

register();
await import('../bench/index.ts');
