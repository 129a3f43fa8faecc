import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef } from 'react';
import { request, setUnauthorizedHandler } from '../lib/api';
import { ApiError } from '../lib/problem';
import { queryKeys } from '../lib/query-keys';
import type { Me } from '../lib/types';

interface AuthValue {
  me: Me | null;
  loading: boolean;
  /** true when the user was logged in and a request came back 401 */
  expired: boolean;
  can: (permission: string) => boolean;
  login: (email: string, password: string, tenant?: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);
const ME_KEY = queryKeys.me;
/** Drops every cached query except the session itself (whose observer must stay attached). */
const dropData = (qc: ReturnType<typeof useQueryClient>) =>
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const expiredRef = useRef(false);
  const meQuery = useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await request('get', '/me', { skipAuthRedirect: true });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: 1,
  });

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (qc.getQueryData(ME_KEY)) {
        expiredRef.current = true;
        dropData(qc);
        qc.setQueryData(ME_KEY, null);
      }
    });
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  const login = useCallback(
    async (email: string, password: string, tenant?: string) => {
      await request('post', '/auth/login', {
        body: { email, password, ...(tenant ? { tenant } : {}) },
        skipAuthRedirect: true,
      });
      expiredRef.current = false;
      dropData(qc);
      const me: Me = await request('get', '/me', { skipAuthRedirect: true });
      qc.setQueryData(ME_KEY, me);
    },
    [qc],
  );
  const logout = useCallback(async () => {
    try {
      await request('post', '/auth/logout', { skipAuthRedirect: true });
    } finally {
      expiredRef.current = false;
      dropData(qc);
      qc.setQueryData(ME_KEY, null);
    }
  }, [qc]);

  const me = meQuery.data ?? null;
  const value = useMemo<AuthValue>(
    () => ({
      me,
      loading: meQuery.isPending,
      expired: expiredRef.current && !me,
      can: (p) => !!me?.permissions.includes(p),
      login,
      logout,
    }),
    [me, meQuery.isPending, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
