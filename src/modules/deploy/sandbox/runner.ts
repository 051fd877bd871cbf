import readline from 'node:readline';

/** Resource limits of one sandbox (an app or a build). */
export interface Limits {
  memoryMb: number;
  /** CPU share in CPUs (0.5 = half of one core). */
  cpus: number;
  /** Processes and threads. */
  pids: number;
  /** Size of the private /tmp. */
  tmpMb: number;
}

/** What to run, where, as whom and within which limits. */
export interface SandboxSpec {
  /** Unique among running sandboxes; names its cgroup (letters, digits, `-`). */
  name: string;
  /** The system uid (and gid) the code runs as; one per app. */
  uid: number;
  /** The only writable host directory; it is `/app` inside, and the working directory. */
  workDir: string;
  /** A host directory seen as `/run/aula` inside, for the app's unix socket. */
  socketDir?: string;
  /** Host files or directories seen read-only inside, at `inside` (e.g. PostgreSQL's unix socket). */
  readOnly?: Array<{ host: string; inside: string }>;
  /** What runs: a command in `workDir` (bubblewrap), or, for a container runner, an image's own entry point (`command` then empty). */
  command: string[];
  /** A container image to run instead of a command (container runners only). */
  image?: string;
  env: Record<string, string>;
  limits: Limits;
  /** Killed at once when aborted. */
  signal?: AbortSignal;
  /** Each line the code writes. */
  onLine(stream: 'stdout' | 'stderr', line: string): void;
}

/** How a sandboxed process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The kernel killed it for going over its memory limit. */
  oomKilled: boolean;
  /** It tried to start more processes than allowed. */
  pidsLimitHit: boolean;
}

/** Resource use of a running sandbox. */
export interface Usage {
  memoryBytes: number;
  cpuSeconds: number;
}

/** A running sandboxed process. */
export interface SandboxProcess {
  readonly pid: number;
  /** Resolves once every process of the sandbox is gone. */
  readonly exited: Promise<ExitInfo>;
  /** Kills every process in the sandbox; resolves when they are gone. */
  kill(): Promise<ExitInfo>;
  usage(): Promise<Usage>;
}

/**
 * The one interface between the deploy pipeline and whatever isolates student
 * code: bubblewrap + cgroups here; a container runner or Kubernetes would map the
 * same spec (see docs/deploy.md).
 */
export interface Runner {
  readonly name: string;
  /** Throws with a message for the operator when the host lacks what the runner needs. */
  check(): Promise<void>;
  start(spec: SandboxSpec): Promise<SandboxProcess>;
}

const MAX_LINE = 4000;

/** Calls `onLine` with each line of a sandboxed process's output, a very long line cut at 4,000 characters. */
export function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  readline
    .createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
    .on('line', (line) => onLine(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line));
}

/** A runner's process: `killAll` runs at once when `signal` aborts, and `kill()` waits for the exit it causes. */
export function sandboxProcess(
  pid: number,
  exited: Promise<ExitInfo>,
  killAll: () => Promise<void>,
  usage: () => Promise<Usage>,
  signal: AbortSignal | undefined,
): SandboxProcess {
  const onAbort = () => void killAll();
  signal?.addEventListener('abort', onAbort, { once: true });
  void exited.finally(() => signal?.removeEventListener('abort', onAbort));
  if (signal?.aborted) onAbort();
  return {
    pid,
    exited,
    async kill() {
      await killAll();
      return exited;
    },
    usage,
  };
}

/** Describes an exit for a person, as a predicate ("the app …"): memory, process limit, signal or code. */
export function describeExit(exit: ExitInfo, limits: Limits): string {
  if (exit.oomKilled) return `was killed for using more than its ${limits.memoryMb} MB memory limit`;
  if (exit.pidsLimitHit) return `hit its limit of ${limits.pids} processes`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}
