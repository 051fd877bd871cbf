import type { AulaModule, ModuleQueueMap, QueueEntry } from '../module.ts';
import type { EventStreamName, EventStreams, QueueName, QueueSpec } from './definitions.ts';

type EventNames = { [S in EventStreamName]?: ReadonlyArray<EventStreams[S]['eventName']> };

/**
 * The queues and event streams of the modules a process was started with: built
 * once by the runtime from the module list, so the platform itself names none.
 */
export class QueueCatalog {
  private readonly entries: ModuleQueueMap = {};
  private readonly streams: EventNames = {};

  constructor(modules: ReadonlyArray<Pick<AulaModule, 'name' | 'queues' | 'events'>>) {
    const owners = new Map<string, string>();
    const claim = (name: string, module: string) => {
      const owner = owners.get(name);
      if (owner) throw new Error(`queue or event stream ${name} is declared by both ${owner} and ${module}`);
      owners.set(name, module);
    };
    for (const module of modules) {
      for (const name of Object.keys(module.queues ?? {})) claim(name, module.name);
      for (const name of Object.keys(module.events ?? {})) claim(name, module.name);
      Object.assign(this.entries, module.queues);
      Object.assign(this.streams, module.events);
    }
  }

  /** Every queue name, in module order. */
  names(): QueueName[] {
    return Object.keys(this.entries).filter((name) => this.has(name));
  }

  /** Narrows a string to a queue some module declared. */
  has(name: string): name is QueueName {
    return Object.hasOwn(this.entries, name);
  }

  /** The queue's entry (settings, handler); throws for a queue no module declared. */
  entry<N extends QueueName>(name: N): QueueEntry<N> {
    const entry = this.entries[name];
    if (!entry) throw new Error(`no module declares queue ${name}`);
    return entry;
  }

  /** Attempts, backoff, timeout, concurrency and retention of a declared queue. */
  spec(name: QueueName): QueueSpec {
    return this.entry(name).spec;
  }

  /** Narrows a string to an event stream some module declared. */
  isEventStream(name: string): name is EventStreamName {
    return Object.hasOwn(this.streams, name);
  }

  /** Every event name published on the stream. */
  eventNames<S extends EventStreamName>(stream: S): ReadonlyArray<EventStreams[S]['eventName']> {
    return this.streams[stream] ?? [];
  }
}
