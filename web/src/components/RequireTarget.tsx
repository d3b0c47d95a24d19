import type { ReactNode } from 'react';
import type { Target } from '../lib/types';
import { hasRole } from '../lib/api';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { useTargets } from '../app/targets';
import { Empty, ErrorState, Loading } from './States';

/// Renders its children for the selected target, or says why there is none.
export function RequireTarget({ children }: { children: (target: Target) => ReactNode }) {
    const { targets, selected, loading, error, reload } = useTargets();
    const { user } = useSession();
    if (loading) return <Loading label="Loading databases…" />;
    if (error && targets.length === 0) return <ErrorState error={error} onRetry={reload} what="the watched databases" />;
    if (!selected)
        return (
            <Empty title="No database is watched yet.">
                {hasRole(user?.role, 'admin') ? (
                    <p>
                        <Link to="/settings">Add a database in Settings</Link> to start collecting its statistics.
                    </p>
                ) : (
                    <p>Ask an admin to add one in Settings.</p>
                )}
            </Empty>
        );
    return <>{children(selected)}</>;
}
