import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every response. It fits the web app served at `/`
 * (a Vite build: scripts from our origin only; Mantine sets inline style attributes;
 * video and images from the API, blob: players) and the API docs at `/docs`
 * (swagger-ui: own scripts, inline styles, data: icons, fetches /docs/json).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

/** Helmet's security headers (nosniff, frame and referrer policies, CSP…) on every response. */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    // Aula is often reached over plain HTTP on a LAN address: no forced HTTPS upgrade.
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  });
}

/** The security headers every Aula response carries, by name (for a front proxy that answers for Aula, such as HAProxy for apps). */
export async function securityHeaderValues(): Promise<Record<string, string>> {
  const { default: Fastify } = await import('fastify');
  const probe = Fastify({ logger: false });
  try {
    await registerSecurityHeaders(probe);
    probe.get('/', async () => '');
    const response = await probe.inject({ method: 'GET', url: '/' });
    const ordinary = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
    return Object.fromEntries(
      Object.entries(response.headers).flatMap(([name, value]) => (ordinary.has(name) || typeof value !== 'string' ? [] : [[name, value]])),
    );
  } finally {
    await probe.close();
  }
}
