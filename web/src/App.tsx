import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { LiveProvider } from './app/live';
import { RouterProvider, useRouter } from './app/router';
import { SessionProvider, useSession } from './app/session';
import { TargetsProvider } from './app/targets';
import { Layout } from './components/Layout';
import { Empty, Loading } from './components/States';
import { ToastProvider } from './components/Toasts';
import { LoginPage } from './features/login/LoginPage';
import { OverviewPage } from './features/overview/OverviewPage';
import { buildPath, safeNext, type RouteName } from './lib/router';
import { Link } from './app/router';

const QueriesPage = lazy(() => import('./features/queries/QueriesPage'));
const QueryDetailPage = lazy(() => import('./features/queries/QueryDetailPage'));
const OptimizationsPage = lazy(() => import('./features/optimizations/OptimizationsPage'));
const AnalyticsPage = lazy(() => import('./features/analytics/AnalyticsPage'));
const IndexHealthPage = lazy(() => import('./features/indexes/IndexHealthPage'));
const AuditPage = lazy(() => import('./features/audit/AuditPage'));
const SettingsPage = lazy(() => import('./features/settings/SettingsPage'));
const ExportsPage = lazy(() => import('./features/exports/ExportsPage'));
const ReportPage = lazy(() => import('./features/report/ReportPage'));

function NotFound() {
    return (
        <Empty title="There is no such page.">
            <p>
                <Link to="/">Go to the overview</Link>
            </p>
        </Empty>
    );
}

const PAGES: Record<Exclude<RouteName, 'login'>, ComponentType> = {
    overview: OverviewPage,
    queries: QueriesPage,
    query: QueryDetailPage,
    optimizations: OptimizationsPage,
    analytics: AnalyticsPage,
    indexes: IndexHealthPage,
    audit: AuditPage,
    settings: SettingsPage,
    exports: ExportsPage,
    report: ReportPage,
    notfound: NotFound,
};

function Gate() {
    const { status, notice, recheck } = useSession();
    const { route, navigate, path } = useRouter();

    useEffect(() => {
        if (status === 'anonymous' && route.name !== 'login') {
            navigate(buildPath('/login', { next: path === '/' ? undefined : path }), { replace: true });
        } else if (status === 'authenticated' && route.name === 'login') {
            navigate(safeNext(route.query.get('next')), { replace: true });
        }
    }, [status, route, navigate, path]);

    if (status === 'checking') return <Loading label="Connecting to OptiSchema…" />;
    if (status === 'unreachable') {
        return (
            <div className="login">
                <div className="card" role="alert">
                    <h1>OptiSchema is not reachable</h1>
                    <p>{notice ?? 'The server did not answer.'}</p>
                    <button type="button" className="primary" onClick={recheck}>
                        Try again
                    </button>
                </div>
            </div>
        );
    }
    if (status === 'anonymous' || route.name === 'login') return <LoginPage />;
    const Page = PAGES[route.name];
    return (
        <TargetsProvider>
            <LiveProvider>
                <Layout>
                    <Suspense fallback={<Loading />}>
                        <Page />
                    </Suspense>
                </Layout>
            </LiveProvider>
        </TargetsProvider>
    );
}

export function App() {
    return (
        <ToastProvider>
            <RouterProvider>
                <SessionProvider>
                    <Gate />
                </SessionProvider>
            </RouterProvider>
        </ToastProvider>
    );
}
