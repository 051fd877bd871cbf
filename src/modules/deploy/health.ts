import http from 'node:http';

const TRY_EVERY_MS = 200;

function answers(socketPath: string, urlPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: urlPath, timeout: 2000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** Waits until the app answers any HTTP response on its socket; false at the deadline or when `gone` resolves first. */
export async function waitForHttp(socketPath: string, urlPath: string, timeoutMs: number, gone: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void gone.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited && !signal.aborted) {
    if (await answers(socketPath, urlPath)) return true;
    await new Promise((resolve) => setTimeout(resolve, TRY_EVERY_MS));
  }
  return false;
}
