import { useState, type FormEvent } from 'react';
import { useSession } from '../../app/session';
import { useTargets } from '../../app/targets';
import { useTheme, type Theme } from '../../app/theme';
import { useTitle } from '../../app/useAsync';
import { Badge } from '../../components/Badge';
import { CodeBlock } from '../../components/CodeBlock';
import { ConfirmDialog } from '../../components/Dialog';
import { DataTable, type Column } from '../../components/DataTable';
import { InlineError } from '../../components/States';
import { useToast } from '../../components/Toasts';
import { ApiError, errorMessage, hasRole } from '../../lib/api';
import { formatRelative } from '../../lib/format';
import { sortChecks } from '../../lib/recommendations';
import type { Check, Target, TargetTestResponse } from '../../lib/types';
import { AiProviderSection } from './AiProviderSection';
import { ApiTokensSection } from './ApiTokensSection';
import { UsersSection } from './UsersSection';

function ChecksList({ checks }: { checks: Check[] }) {
    return (
        <ul className="checks-list" data-testid="connection-checks">
            {sortChecks(checks).map((c, i) => (
                <li key={`${c.name}-${i}`}>
                    <Badge tone={c.status}>{c.status}</Badge> <strong>{c.name}</strong>
                    <p>{c.message}</p>
                    {c.fix ? <CodeBlock code={c.fix} label="Fix" copyWhat={`fix for ${c.name}`} /> : null}
                </li>
            ))}
        </ul>
    );
}

/// A connection test, or the checks of a 422 from POST /targets (which names no server version).
type TestOutcome = Omit<TargetTestResponse, 'server_version'> & { server_version?: string };

function TargetWizard({ onDone }: { onDone: (t: Target) => void }) {
    const { api } = useSession();
    const [name, setName] = useState('');
    const [dsn, setDsn] = useState('');
    const [interval, setInterval] = useState(60);
    const [production, setProduction] = useState(false);
    const [test, setTest] = useState<TestOutcome | null>(null);
    const [testedDsn, setTestedDsn] = useState<string | null>(null);
    const [busy, setBusy] = useState<'test' | 'save' | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [formError, setFormError] = useState<string | null>(null);
    const failed = test ? test.checks.some((c) => c.status === 'fail') || !test.ok : true;
    const tested = test !== null && testedDsn === dsn;

    const runTest = async () => {
        if (!dsn.trim()) {
            setFormError('Enter a connection string first.');
            return;
        }
        setFormError(null);
        setBusy('test');
        setError(null);
        try {
            const r = await api.testTarget(dsn.trim());
            setTest({ ...r, checks: Array.isArray(r?.checks) ? r.checks : [] });
            setTestedDsn(dsn);
        } catch (e) {
            setTest(null);
            setError(e);
        } finally {
            setBusy(null);
        }
    };

    const save = async (e: FormEvent) => {
        e.preventDefault();
        if (!name.trim()) {
            setFormError('Give the database a name.');
            return;
        }
        if (!(interval >= 5)) {
            setFormError('Collect at most every 5 seconds.');
            return;
        }
        setFormError(null);
        setBusy('save');
        setError(null);
        try {
            const t = await api.createTarget({ name: name.trim(), dsn: dsn.trim(), interval_s: interval, production });
            onDone(t);
        } catch (err) {
            if (err instanceof ApiError && err.status === 422 && err.checks.length) {
                setTest({ ok: false, checks: err.checks });
                setTestedDsn(dsn);
            }
            setError(err);
        } finally {
            setBusy(null);
        }
    };

    return (
        <form onSubmit={(e) => void save(e)} aria-labelledby="wizard-title" data-testid="target-wizard" noValidate>
            <h3 id="wizard-title">Add a database</h3>
            <ol className="muted">
                <li>Enter its connection string.</li>
                <li>Test the connection: OptiSchema checks each prerequisite and shows how to fix what is missing.</li>
                <li>Save it: collection starts at once.</li>
            </ol>
            <div className="field-row">
                <div className="field">
                    <label htmlFor="t-name">Name</label>
                    <input id="t-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="shop-primary" autoComplete="off" />
                </div>
                <div className="field">
                    <label htmlFor="t-interval">
                        Collect every (seconds)
                    </label>
                    <input id="t-interval" type="number" min={5} value={interval} onChange={(e) => setInterval(Number(e.target.value))} />
                </div>
            </div>
            <div className="field">
                <label htmlFor="t-dsn">
                    Connection string <span className="hint">libpq URI or key=value; the password is stored encrypted and never shown again</span>
                </label>
                <input
                    id="t-dsn"
                    className="mono"
                    value={dsn}
                    onChange={(e) => setDsn(e.target.value)}
                    placeholder="postgresql://optischema@db.example.com:5432/app"
                    autoComplete="off"
                    spellCheck={false}
                />
            </div>
            <label className="checkbox">
                <input type="checkbox" checked={production} onChange={(e) => setProduction(e.target.checked)} />
                Production database (validations never run on it; applying asks for extra care)
            </label>
            {formError && (
                <p className="inline-error" role="alert">
                    {formError}
                </p>
            )}
            <div className="toolbar mt">
                <button type="button" onClick={() => void runTest()} disabled={busy !== null}>
                    {busy === 'test' ? <span className="spinner" aria-hidden="true" /> : null}
                    Test connection
                </button>
                <button type="submit" className="primary" disabled={busy !== null || !tested || failed}>
                    {busy === 'save' ? <span className="spinner" aria-hidden="true" /> : null}
                    Save
                </button>
                {!tested && <span className="muted">Test the connection before saving.</span>}
                {tested && failed && <span className="muted">Fix the failing checks, then test again.</span>}
            </div>
            <InlineError error={error} />
            {test && (
                <div aria-live="polite">
                    <p className={failed ? 'inline-error' : 'inline-ok'}>
                        {failed ? 'Some checks fail.' : 'Ready to watch.'}
                        {test.server_version ? ` PostgreSQL ${test.server_version}.` : ''}
                    </p>
                    <ChecksList checks={test.checks} />
                </div>
            )}
        </form>
    );
}

function EditTarget({ target, onDone, onCancel }: { target: Target; onDone: () => void; onCancel: () => void }) {
    const { api } = useSession();
    const [name, setName] = useState(target.name);
    const [interval, setInterval] = useState(target.interval_s);
    const [production, setProduction] = useState(target.production);
    const [dsn, setDsn] = useState('');
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const save = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
            await api.updateTarget(target.id, { name, interval_s: interval, production, ...(dsn.trim() ? { dsn: dsn.trim() } : {}) });
            onDone();
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };
    return (
        <form onSubmit={(e) => void save(e)} className="card" aria-label={`Edit ${target.name}`}>
            <div className="field-row">
                <div className="field">
                    <label htmlFor="e-name">Name</label>
                    <input id="e-name" value={name} onChange={(e) => setName(e.target.value)} />
                </div>
                <div className="field">
                    <label htmlFor="e-interval">Collect every (seconds)</label>
                    <input id="e-interval" type="number" min={5} value={interval} onChange={(e) => setInterval(Number(e.target.value))} />
                </div>
            </div>
            <div className="field">
                <label htmlFor="e-dsn">
                    New connection string <span className="hint">leave empty to keep the current one</span>
                </label>
                <input id="e-dsn" className="mono" value={dsn} onChange={(e) => setDsn(e.target.value)} autoComplete="off" spellCheck={false} />
            </div>
            <label className="checkbox">
                <input type="checkbox" checked={production} onChange={(e) => setProduction(e.target.checked)} />
                Production database
            </label>
            <InlineError error={error} />
            <div className="toolbar mt">
                <button type="submit" className="primary" disabled={busy}>
                    Save changes
                </button>
                <button type="button" onClick={onCancel}>
                    Cancel
                </button>
            </div>
        </form>
    );
}

function TargetsSection() {
    const { api, user } = useSession();
    const { targets, reload, select, loading, error } = useTargets();
    const toast = useToast();
    const isAdmin = hasRole(user?.role, 'admin');
    const [adding, setAdding] = useState(false);
    const [editing, setEditing] = useState<Target | null>(null);
    const [deleting, setDeleting] = useState<Target | null>(null);
    const [busy, setBusy] = useState(false);
    const remove = async () => {
        if (!deleting) return;
        setBusy(true);
        try {
            await api.deleteTarget(deleting.id);
            toast(`${deleting.name} is no longer watched.`, 'ok');
            reload();
        } catch (e) {
            toast(errorMessage(e), 'error');
        } finally {
            setBusy(false);
            setDeleting(null);
        }
    };
    const columns: Column<Target>[] = [
        { key: 'name', header: 'Name', value: (t) => t.name, render: (t) => <strong>{t.name}</strong> },
        { key: 'dsn', header: 'Connection', value: (t) => t.dsn_display, className: 'mono' },
        { key: 'state', header: 'Status', value: (t) => t.status?.state ?? null, render: (t) => <Badge tone={t.status?.state ?? null}>{t.status?.state ?? 'unknown'}</Badge> },
        {
            key: 'last',
            header: 'Last snapshot',
            value: (t) => t.status?.last_snapshot_at ?? null,
            text: (t) => (t.status?.last_snapshot_at ? formatRelative(t.status.last_snapshot_at) : 'none yet'),
            narrowHidden: true,
        },
        { key: 'interval', header: 'Interval', value: (t) => t.interval_s, text: (t) => `${t.interval_s} s`, align: 'right', narrowHidden: true },
        { key: 'production', header: 'Production', value: (t) => t.production, text: (t) => (t.production ? 'yes' : 'no'), narrowHidden: true },
        { key: 'source', header: 'Defined in', value: (t) => t.source, narrowHidden: true },
        ...(isAdmin
            ? [
                  {
                      key: 'actions',
                      header: 'Actions',
                      value: () => null,
                      sortable: false,
                      csv: () => null,
                      render: (t: Target) => (
                          <span className="toolbar">
                              <button type="button" className="small" onClick={() => setEditing(t)} aria-label={`Edit ${t.name}`}>
                                  Edit
                              </button>
                              <button type="button" className="small danger" onClick={() => setDeleting(t)} aria-label={`Remove ${t.name}`}>
                                  Remove
                              </button>
                          </span>
                      ),
                  } as Column<Target>,
              ]
            : []),
    ];
    return (
        <section className="card" aria-labelledby="targets-title">
            <div className="card-header">
                <h2 id="targets-title">Databases</h2>
                {isAdmin && !adding && (
                    <button type="button" className="primary" onClick={() => setAdding(true)}>
                        Add a database
                    </button>
                )}
            </div>
            {error && targets.length === 0 ? <InlineError error={error} /> : null}
            {loading ? (
                <p className="muted">Loading…</p>
            ) : (
                <DataTable columns={columns} rows={targets} rowKey={(t) => String(t.id)} caption="Watched databases" empty="No database is watched yet." />
            )}
            {editing && (
                <EditTarget
                    key={String(editing.id)}
                    target={editing}
                    onCancel={() => setEditing(null)}
                    onDone={() => {
                        setEditing(null);
                        reload();
                        toast('Saved.', 'ok');
                    }}
                />
            )}
            {adding && (
                <div className="card">
                    <TargetWizard
                        onDone={(t) => {
                            setAdding(false);
                            reload();
                            if (t?.id !== undefined) select(t.id);
                            toast(`Watching ${t?.name ?? 'the database'} now.`, 'ok');
                        }}
                    />
                    <button type="button" className="small mt" onClick={() => setAdding(false)}>
                        Cancel
                    </button>
                </div>
            )}
            {!isAdmin && <p className="muted">Adding and changing databases needs the admin role.</p>}
            <ConfirmDialog
                open={deleting !== null}
                title={`Stop watching ${deleting?.name ?? ''}?`}
                confirmLabel="Remove"
                danger
                busy={busy}
                onConfirm={() => void remove()}
                onCancel={() => setDeleting(null)}
            >
                <p>Collection stops. The history already collected is kept in the store.</p>
            </ConfirmDialog>
        </section>
    );
}

function AppearanceSection() {
    const [theme, setTheme] = useTheme();
    return (
        <section className="card" aria-labelledby="appearance-title">
            <h2 id="appearance-title">Appearance</h2>
            <fieldset className="plain">
                <legend className="visually-hidden">Theme</legend>
                {(['dark', 'light'] as Theme[]).map((t) => (
                    <label key={t} className="checkbox">
                        <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => setTheme(t)} />
                        {t === 'dark' ? 'Dark' : 'Light'} theme
                    </label>
                ))}
            </fieldset>
        </section>
    );
}

export default function SettingsPage() {
    useTitle('Settings');
    const { user, authEnabled } = useSession();
    const isAdmin = hasRole(user?.role, 'admin');
    return (
        <>
            <div className="page-header">
                <div>
                    <h1>Settings</h1>
                    <p>Signed in as {user?.username ?? 'unknown'} ({user?.role ?? 'no role'}).</p>
                </div>
            </div>
            <div className="stack">
                <TargetsSection />
                {isAdmin && <UsersSection />}
                {authEnabled && <ApiTokensSection />}
                <AiProviderSection />
                <AppearanceSection />
            </div>
        </>
    );
}
