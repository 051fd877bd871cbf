import type { AulaModule } from '../platform/module.ts';
import { identityModule } from './identity/index.ts';
import { mediaModule } from './media/index.ts';

/** Every service module, in migration order. */
export const MODULES: AulaModule[] = [identityModule, mediaModule];
