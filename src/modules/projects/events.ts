import type { ModuleEvents } from '../../platform/module.ts';

/** A change to a project, for the next module (deploy): ids only, never values. Consumers import this type. */
export type ProjectChanged = {
  eventName: 'project.created' | 'project.updated' | 'project.deleted' | 'project.env.changed';
  projectId: string;
  /** The outbox sequence number: a consumer that sees one twice can tell. */
  seq: string;
  key?: string;
};

/** The event streams projects publishes. */
export interface ProjectsEventStreams {
  'projects.events': ProjectChanged;
}

declare module '../../platform/queue/definitions.ts' {
  interface EventStreams extends ProjectsEventStreams {}
}

/** Projects' event streams and the events on each. */
export const projectsEvents: ModuleEvents<ProjectsEventStreams> = {
  'projects.events': ['project.created', 'project.updated', 'project.deleted', 'project.env.changed'],
};
