import { useState, type FormEvent } from 'react';
import { useSession } from '../../app/session';
import { useAsync } from '../../app/useAsync';
import { Badge } from '../../components/Badge';
import { CopyButton } from '../../components/CopyButton';
import { ConfirmDialog } from '../../components/Dialog';
import { DataTable, type Column } from '../../components/DataTable';
import { Async, InlineError } from '../../components/States';
import { useToast } from '../../components/Toasts';
import { errorMessage, hasRole } from '../../lib/api';
import { DEFAULT_EXPIRY, expiresAtFor, expiryChoices, grantableRoles, tokenNameError, tokenStatus, type ExpiryChoice } from '../../lib/apiTokens';
import { formatDateTime } from '../../lib/format';
import type { ApiToken, ApiTokenCreated, Role } from '../../lib/types';

const STATUS_TONE = { active: 'pass', expired: 'warn', revoked: 'fail' } as const;

/// The token just created, shown this once with a copy button.
function NewToken({ created, onDone }: { created: ApiTokenCreated; onDone: () => void }) {
    return (
        <div className="inline-ok" role="status" data-testid="new-api-token">
            <p>
                <strong>Copy the token “{created.api_token.name}” now: it is not shown again.</strong> Only a hash of it is kept, so a lost token cannot be
                recovered; revoke it and create another.
            </p>
            <p>
                <code className="api-token-secret" data-testid="api-token-secret">
                    {created.token}
                </code>
            </p>
            <p>
                Send it as <code>Authorization: Bearer …</code>. <CopyButton text={created.token} what="the API token" />{' '}
                <button type="button" className="small" onClick={onDone}>
                    I have copied it
                </button>
            </p>
        </div>
    );
}

/// API tokens for scripts and CI: yours (admins: everyone's), create one (shown once), revoke.
export function ApiTokensSection() {
    const { api, user } = useSession();
    const toast = useToast();
    const state = useAsync((signal) => api.apiTokens(signal), [api]);
    const roles = grantableRoles(user?.role);
    const isAdmin = hasRole(user?.role, 'admin');
    const [name, setName] = useState('');
    const [role, setRole] = useState<Role>('viewer');
    const [expiry, setExpiry] = useState<ExpiryChoice>(DEFAULT_EXPIRY);
    const [date, setDate] = useState('');
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [created, setCreated] = useState<ApiTokenCreated | null>(null);
    const [revoking, setRevoking] = useState<ApiToken | null>(null);

    const create = async (e: FormEvent) => {
        e.preventDefault();
        const nameError = tokenNameError(name);
        if (nameError) {
            setError(new Error(nameError));
            return;
        }
        const expiresAt = expiresAtFor(expiry, date);
        if ('error' in expiresAt) {
            setError(new Error(expiresAt.error));
            return;
        }
        setBusy(true);
        setError(null);
        try {
            const answer = await api.createApiToken(name.trim(), role, expiresAt.value);
            setCreated(answer);
            setName('');
            state.reload();
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    const revoke = async () => {
        if (!revoking) return;
        try {
            await api.revokeApiToken(revoking.id);
            toast(`The token ${revoking.name} was revoked.`, 'ok');
            state.reload();
        } catch (e) {
            toast(`The token ${revoking.name} was not revoked: ${errorMessage(e)}`, 'error');
        } finally {
            setRevoking(null);
        }
    };

    const columns: Column<ApiToken>[] = [
        { key: 'name', header: 'Name', value: (t) => t.name },
        ...(isAdmin ? [{ key: 'owner', header: 'Owner', value: (t: ApiToken) => t.owner } as Column<ApiToken>] : []),
        { key: 'role', header: 'Role', value: (t) => t.role },
        {
            key: 'status',
            header: 'Status',
            value: (t) => tokenStatus(t),
            render: (t) => {
                const status = tokenStatus(t);
                return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
            },
        },
        { key: 'created_at', header: 'Created', value: (t) => t.created_at, text: (t) => formatDateTime(t.created_at), narrowHidden: true },
        { key: 'expires_at', header: 'Expires', value: (t) => t.expires_at ?? '', text: (t) => (t.expires_at ? formatDateTime(t.expires_at) : 'never') },
        {
            key: 'last_used_at',
            header: 'Last used',
            value: (t) => t.last_used_at ?? '',
            text: (t) => (t.last_used_at ? formatDateTime(t.last_used_at) : 'never used'),
            narrowHidden: true,
        },
        {
            key: 'actions',
            header: 'Actions',
            value: () => null,
            sortable: false,
            csv: () => null,
            render: (t) =>
                tokenStatus(t) === 'revoked' ? null : (
                    <button type="button" className="small danger" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>
                        Revoke
                    </button>
                ),
        },
    ];

    return (
        <section className="card" aria-labelledby="api-tokens-title" data-testid="api-tokens">
            <h2 id="api-tokens-title">API tokens</h2>
            <p className="muted">
                For scripts, CI and other tools: send <code>Authorization: Bearer osk_…</code>. A token acts as you, with the role you give it (at most
                yours). {isAdmin ? 'As an admin you see every user’s tokens.' : 'You see your own tokens.'} Revoked and expired tokens stay listed for 30
                days.
            </p>
            {created && <NewToken created={created} onDone={() => setCreated(null)} />}
            <Async state={state} what="API tokens">
                {(tokens) =>
                    tokens.length === 0 ? (
                        <p className="muted">No API tokens yet.</p>
                    ) : (
                        <DataTable columns={columns} rows={tokens} rowKey={(t) => t.id} caption="Tokens" testId="api-tokens-table" />
                    )
                }
            </Async>
            <form onSubmit={(e) => void create(e)} aria-labelledby="add-token-title" noValidate>
                <h3 id="add-token-title">Create a token</h3>
                <div className="field-row">
                    <div className="field">
                        <label htmlFor="t-name">Name</label>
                        <input id="t-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="ci" autoComplete="off" maxLength={100} />
                    </div>
                    <div className="field">
                        <label htmlFor="t-role">Role</label>
                        <select id="t-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                            {roles.map((r) => (
                                <option key={r} value={r}>
                                    {r}
                                </option>
                            ))}
                        </select>
                    </div>
                    <div className="field">
                        <label htmlFor="t-expiry">Expires</label>
                        <select id="t-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value as ExpiryChoice)}>
                            {expiryChoices(user?.role).map((c) => (
                                <option key={c.value} value={c.value}>
                                    {c.label}
                                </option>
                            ))}
                        </select>
                    </div>
                    {expiry === 'date' && (
                        <div className="field">
                            <label htmlFor="t-date">Expiry date</label>
                            <input id="t-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
                        </div>
                    )}
                </div>
                <InlineError error={error} />
                <button type="submit" className="primary" disabled={busy}>
                    Create token
                </button>
            </form>
            <ConfirmDialog
                open={revoking !== null}
                title={`Revoke the token ${revoking?.name ?? ''}?`}
                confirmLabel="Revoke"
                danger
                onConfirm={() => void revoke()}
                onCancel={() => setRevoking(null)}
            >
                <p>Whatever uses it is refused from now on (401). This cannot be undone: create a new token to replace it.</p>
            </ConfirmDialog>
        </section>
    );
}
