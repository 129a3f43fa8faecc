import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth/auth';
import { Shell } from './components/Shell';
import { LoginPage } from './pages/LoginPage';

const HomePage = lazy(() => import('./pages/HomePage'));
const ListPage = lazy(() => import('./pages/ListPage'));
const AccountPage = lazy(() => import('./pages/AccountPage'));
const RecordPage = lazy(() => import('./pages/RecordPage'));
const BoardPage = lazy(() => import('./pages/BoardPage'));
const ImportPage = lazy(() => import('./pages/ImportPage'));
const AdminPage = lazy(() => import('./pages/AdminPage'));
const ForecastPage = lazy(() => import('./pages/ForecastPage'));
const ModelPage = lazy(() => import('./pages/ModelPage'));
const InboxPage = lazy(() => import('./pages/InboxPage'));
const BriefPage = lazy(() => import('./pages/BriefPage'));
const SignOffPage = lazy(() => import('./pages/SignOffPage'));
const SignalReviewPage = lazy(() => import('./pages/SignalReviewPage'));
const SourcesPage = lazy(() => import('./pages/SourcesPage'));
const RulesPage = lazy(() => import('./pages/RulesPage'));
const PrivacyPage = lazy(() => import('./pages/PrivacyPage'));
const CasePage = lazy(() => import('./pages/privacy/CasePage'));

export function PageLoader() {
  return (
    <Center h={240} aria-busy="true">
      <Loader />
    </Center>
  );
}

/** The customer portal (/portal): its own session, shell and API client, outside the staff AuthProvider. */
const PortalApp = lazy(() => import('./portal/PortalApp'));

export const isPortalPath = (pathname: string) => pathname === '/portal' || pathname.startsWith('/portal/');

/** The customer portal, or the staff app with its session (the portal never asks for a staff session). */
export function Root() {
  const location = useLocation();
  if (isPortalPath(location.pathname))
    return (
      <Suspense fallback={<PageLoader />}>
        <PortalApp />
      </Suspense>
    );
  return (
    <AuthProvider>
      <App />
    </AuthProvider>
  );
}

export function App() {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <PageLoader />;
  if (!me) {
    if (location.pathname === '/login') return <LoginPage />;
    const next = location.pathname + location.search;
    return (
      <Navigate to={`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />
    );
  }
  return (
    <Shell>
      <Suspense fallback={<PageLoader />}>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route path="/accounts" element={<ListPage entity="accounts" />} />
          <Route path="/accounts/:id" element={<AccountPage />} />
          <Route path="/contacts" element={<ListPage entity="contacts" />} />
          <Route path="/contacts/:id" element={<RecordPage entity="contacts" />} />
          <Route path="/opportunities" element={<ListPage entity="opportunities" />} />
          <Route path="/opportunities/board" element={<BoardPage />} />
          <Route path="/opportunities/:id" element={<RecordPage entity="opportunities" />} />
          <Route path="/activities" element={<ListPage entity="activities" />} />
          <Route path="/activities/:id" element={<RecordPage entity="activities" />} />
          <Route path="/import" element={<ImportPage />} />
          <Route path="/forecast" element={<ForecastPage />} />
          <Route path="/models" element={<ModelPage />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/brief" element={<BriefPage />} />
          <Route path="/sign-off" element={<SignOffPage />} />
          <Route path="/signals/review" element={<SignalReviewPage />} />
          <Route path="/signals/sources" element={<SourcesPage />} />
          <Route path="/rules" element={<RulesPage />} />
          <Route path="/rules/:id" element={<RulesPage />} />
          <Route path="/privacy" element={<PrivacyPage />} />
          <Route path="/privacy/cases/:id" element={<CasePage />} />
          <Route path="/privacy/:tab" element={<PrivacyPage />} />
          <Route path="/admin" element={<AdminPage />} />
          <Route path="/admin/:tab" element={<AdminPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}
