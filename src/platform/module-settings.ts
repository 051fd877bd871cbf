import type { z } from 'zod';

/** A module's own environment variables: a zod object over them, and which of them are secret. */
export interface ModuleSettings<T> {
  module: string;
  /** Validates the module's variables (empty strings already removed). */
  safeParse(values: Record<string, string | undefined>): z.ZodSafeParseResult<T>;
  /** Variable names whose values never appear in error messages. */
  secretVariables: string[];
  /** The variable names the schema reads. */
  variables: string[];
  /** The module's parsed settings from a loaded Config. */
  get(config: { modules: Record<string, unknown> }): T;
}

const registered: Array<ModuleSettings<unknown>> = [];

/**
 * Declares a module's settings; loadConfig validates every declared schema with
 * the platform's own, so a bad value stops the start with one message naming it.
 */
export function defineModuleSettings<S extends z.ZodObject, T = z.output<S>>(
  module: string,
  schema: S,
  secretVariables: string[] = [],
  /** Shapes the parsed variables into the settings the module reads (units, paths, lists). */
  derive?: (parsed: z.output<S>) => T,
): ModuleSettings<T> {
  const settings: ModuleSettings<T> = {
    module,
    safeParse(values) {
      const result = schema.safeParse(values);
      if (!result.success || !derive) return result as z.ZodSafeParseResult<T>;
      return { success: true, data: derive(result.data) };
    },
    secretVariables,
    variables: Object.keys(schema.shape),
    get(config) {
      if (!Object.hasOwn(config.modules, module)) throw new Error(`settings of module ${module} were declared after the configuration was loaded`);
      // loadConfig stored exactly what this schema parsed.
      return config.modules[module] as T;
    },
  };
  registered.push(settings as ModuleSettings<unknown>);
  return settings;
}

/** Every module settings schema declared so far (modules declare theirs when imported). */
export function declaredModuleSettings(): ReadonlyArray<ModuleSettings<unknown>> {
  return registered;
}
