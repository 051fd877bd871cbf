import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, setAccessToken, setRefresher } from '../api/client.ts';
import type { Session, User } from '../api/types.ts';

/** Asks the API to keep the refresh token in the httpOnly cookie rather than in the body. */
const COOKIE_MODE = { 'x-aula-session': 'cookie' };

interface SessionState {
  status: 'loading' | 'anonymous' | 'signed-in';
  user: User | null;
  login(login: string, password: string): Promise<void>;
  logout(): Promise<void>;
  setUser(user: User): void;
}

const SessionContext = createContext<SessionState | null>(null);

/** The signed-in user and the session actions. */
export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** One refresh at a time across tabs (a refresh token works once; two tabs racing would end the session). */
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  return navigator.locks ? (navigator.locks.request('aula-refresh', fn) as Promise<T>) : fn();
}

/** Restores the session from the cookie at start, keeps the access token fresh, and offers log-in/out. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionState['status']>('loading');
  const [user, setUserState] = useState<User | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const inFlight = useRef<Promise<boolean> | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh depends on adopt; both are stable (adopt has no dependencies), so the timer calls the current refresh
  const adopt = useCallback((session: Session) => {
    setAccessToken(session.token);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void refresh(), Math.max(10, session.expiresIn - 60) * 1000);
  }, []);

  const refresh = useCallback((): Promise<boolean> => {
    inFlight.current ??= exclusive(async () => {
      try {
        adopt(await api<Session>('/api/auth/refresh', { method: 'POST', headers: COOKIE_MODE, noRefresh: true }));
        return true;
      } catch {
        setAccessToken(null);
        setUserState(null);
        setStatus('anonymous');
        return false;
      }
    }).finally(() => {
      inFlight.current = null;
    });
    return inFlight.current;
  }, [adopt]);

  useEffect(() => {
    setRefresher(refresh);
    void refresh().then(async (ok) => {
      if (!ok) return;
      setUserState(await api<User>('/api/auth/me'));
      setStatus('signed-in');
    });
    return () => {
      setRefresher(null);
      window.clearTimeout(timer.current);
    };
  }, [refresh]);

  const value = useMemo<SessionState>(
    () => ({
      status,
      user,
      async login(login, password) {
        const body = login.includes('@') ? { email: login, password } : { username: login, password };
        const session = await api<Session>('/api/auth/login', { body, headers: COOKIE_MODE, noRefresh: true });
        adopt(session);
        setUserState(session.user ?? null);
        setStatus('signed-in');
      },
      async logout() {
        await api('/api/auth/logout', { method: 'POST', headers: COOKIE_MODE, noRefresh: true }).catch(() => undefined);
        window.clearTimeout(timer.current);
        setAccessToken(null);
        setUserState(null);
        setStatus('anonymous');
      },
      setUser: setUserState,
    }),
    [status, user, adopt],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
