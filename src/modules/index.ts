import type { AulaModule } from '../platform/module.ts';

/** Every service module, in migration order. */
export const MODULES: AulaModule[] = [];
