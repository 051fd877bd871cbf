/** The API's one error format, as thrown by `api()`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

let accessToken: string | null = null;
let refresher: (() => Promise<boolean>) | null = null;

/** Keeps the access token in memory only (never in storage). */
export function setAccessToken(token: string | null): void {
  accessToken = token;
}

/** The current access token, for EventSource URLs. */
export function getAccessToken(): string | null {
  return accessToken;
}

/** Registers how to get a fresh access token when the API says the current one expired. */
export function setRefresher(fn: (() => Promise<boolean>) | null): void {
  refresher = fn;
}

async function toError(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('retry-after')) || undefined;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    return new ApiError(res.status, body.error?.code ?? 'error', body.error?.message ?? res.statusText, body.error?.details, retry);
  } catch {
    return new ApiError(res.status, 'error', res.statusText, undefined, retry);
  }
}

/** Options of one API call. */
export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Set for the session calls themselves, so a 401 does not trigger a refresh. */
  noRefresh?: boolean;
}

/** Calls the API with the in-memory Bearer token; refreshes once on an expired token; throws ApiError. */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const send = () =>
    fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      credentials: 'same-origin',
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  let res = await send();
  if (res.status === 401 && !options.noRefresh && refresher && accessToken) {
    if (await refresher()) res = await send();
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
