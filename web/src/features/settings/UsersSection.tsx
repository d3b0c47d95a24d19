import { useState, type FormEvent } from 'react';
import { useSession } from '../../app/session';
import { useAsync } from '../../app/useAsync';
import { ConfirmDialog } from '../../components/Dialog';
import { DataTable, type Column } from '../../components/DataTable';
import { Async, InlineError } from '../../components/States';
import { useToast } from '../../components/Toasts';
import { errorMessage, hasRole } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import type { ManagedUser, Role } from '../../lib/types';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const MIN_PASSWORD = 8;

type RoleChange = { user: ManagedUser; role: Role };

/// "a viewer", "an operator", "an admin".
function aRole(role: Role): string {
    return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

/// The role of a user as a select; changing it saves at once (demoting yourself asks first).
function RoleSelect({ user, busy, onChange }: { user: ManagedUser; busy: boolean; onChange: (role: Role) => void }) {
    return (
        <select
            value={user.role}
            onChange={(e) => onChange(e.target.value as Role)}
            disabled={busy}
            aria-label={`Role of ${user.username}`}
            data-testid="user-role"
        >
            {ROLES.map((r) => (
                <option key={r} value={r}>
                    {r}
                </option>
            ))}
        </select>
    );
}

function PasswordDialog({ user, onDone }: { user: ManagedUser | null; onDone: () => void }) {
    const { api } = useSession();
    const toast = useToast();
    const [password, setPassword] = useState('');
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const close = () => {
        setPassword('');
        setError(null);
        onDone();
    };
    const save = async () => {
        if (!user) return;
        if (password.length < MIN_PASSWORD) {
            setError(new Error(`A password needs at least ${MIN_PASSWORD} characters.`));
            return;
        }
        setBusy(true);
        setError(null);
        try {
            await api.updateUser(user.id, { password });
            toast(`The password of ${user.username} was changed.`, 'ok');
            close();
        } catch (e) {
            setError(e);
        } finally {
            setBusy(false);
        }
    };
    return (
        <ConfirmDialog
            open={user !== null}
            title={`New password for ${user?.username ?? ''}`}
            confirmLabel="Set password"
            busy={busy}
            onConfirm={() => void save()}
            onCancel={close}
        >
            <div className="field">
                <label htmlFor="reset-password">
                    New password <span className="hint">at least {MIN_PASSWORD} characters</span>
                </label>
                <input
                    id="reset-password"
                    type="password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                    onKeyDown={(e) => {
                        if (e.key === 'Enter') {
                            e.preventDefault();
                            void save();
                        }
                    }}
                    autoComplete="new-password"
                />
            </div>
            <InlineError error={error} />
        </ConfirmDialog>
    );
}

/// Users and their roles (admins only): add, change a role, set a password, remove.
export function UsersSection() {
    const { api, user: me, recheck } = useSession();
    const toast = useToast();
    const state = useAsync((signal) => api.users(signal), [api]);
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [role, setRole] = useState<Role>('viewer');
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [deleting, setDeleting] = useState<ManagedUser | null>(null);
    const [demotingSelf, setDemotingSelf] = useState<RoleChange | null>(null);
    const [changingRole, setChangingRole] = useState<ManagedUser['id'] | null>(null);
    const [passwordFor, setPasswordFor] = useState<ManagedUser | null>(null);
    const isMe = (u: ManagedUser) => u.username === me?.username;

    const add = async (e: FormEvent) => {
        e.preventDefault();
        if (!username.trim() || password.length < MIN_PASSWORD) {
            setError(new Error(`Enter a user name and a password of at least ${MIN_PASSWORD} characters.`));
            return;
        }
        setBusy(true);
        setError(null);
        try {
            await api.createUser(username.trim(), password, role);
            toast(`User ${username.trim()} added.`, 'ok');
            setUsername('');
            setPassword('');
            state.reload();
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    const changeRole = async ({ user, role: next }: RoleChange) => {
        setChangingRole(user.id);
        try {
            await api.updateUser(user.id, { role: next });
            toast(`${user.username} is now ${aRole(next)}.`, 'ok');
            state.setData((users) => users?.map((u) => (u.id === user.id ? { ...u, role: next } : u)));
            // Your own role changed: read the session again so the pages offer what it allows.
            if (isMe(user)) recheck();
        } catch (e) {
            toast(`The role of ${user.username} was not changed: ${errorMessage(e)}`, 'error');
            state.reload();
        } finally {
            setChangingRole(null);
            setDemotingSelf(null);
        }
    };

    const requestRole = (user: ManagedUser, next: Role) => {
        if (next === user.role) return;
        if (isMe(user) && !hasRole(next, user.role)) setDemotingSelf({ user, role: next });
        else void changeRole({ user, role: next });
    };

    const remove = async () => {
        if (!deleting) return;
        try {
            await api.deleteUser(deleting.id);
            toast(`User ${deleting.username} removed.`, 'ok');
            state.reload();
        } catch (e) {
            toast(errorMessage(e), 'error');
        } finally {
            setDeleting(null);
        }
    };

    const columns: Column<ManagedUser>[] = [
        { key: 'username', header: 'User', value: (u) => u.username, render: (u) => (isMe(u) ? <>{u.username} <span className="muted">(you)</span></> : u.username) },
        {
            key: 'role',
            header: 'Role',
            value: (u) => u.role,
            render: (u) => <RoleSelect user={u} busy={changingRole === u.id} onChange={(r) => requestRole(u, r)} />,
        },
        { key: 'created_at', header: 'Created', value: (u) => u.created_at, text: (u) => formatDateTime(u.created_at), narrowHidden: true },
        {
            key: 'actions',
            header: 'Actions',
            value: () => null,
            sortable: false,
            csv: () => null,
            render: (u) => (
                <span className="user-actions">
                    <button type="button" className="small" onClick={() => setPasswordFor(u)} aria-label={`Set password for ${u.username}`}>
                        Set password
                    </button>
                    {!isMe(u) && (
                        <button type="button" className="small danger" onClick={() => setDeleting(u)} aria-label={`Remove user ${u.username}`}>
                            Remove
                        </button>
                    )}
                </span>
            ),
        },
    ];

    return (
        <section className="card" aria-labelledby="users-title">
            <h2 id="users-title">Users and roles</h2>
            <p className="muted">
                Viewers read; operators also validate, apply, roll back and ask AI; admins also manage databases, users and settings. A role
                change takes effect at once.
            </p>
            <Async state={state} what="users">
                {(users) => <DataTable columns={columns} rows={users} rowKey={(u) => String(u.id)} caption="Users" testId="users-table" />}
            </Async>
            <form onSubmit={(e) => void add(e)} aria-labelledby="add-user-title" noValidate>
                <h3 id="add-user-title">Add a user</h3>
                <div className="field-row">
                    <div className="field">
                        <label htmlFor="u-name">User name</label>
                        <input id="u-name" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
                    </div>
                    <div className="field">
                        <label htmlFor="u-password">Password</label>
                        <input id="u-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
                    </div>
                    <div className="field">
                        <label htmlFor="u-role">Role</label>
                        <select id="u-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                            {ROLES.map((r) => (
                                <option key={r} value={r}>
                                    {r}
                                </option>
                            ))}
                        </select>
                    </div>
                </div>
                <InlineError error={error} />
                <button type="submit" className="primary" disabled={busy}>
                    Add user
                </button>
            </form>
            <ConfirmDialog
                open={deleting !== null}
                title={`Remove user ${deleting?.username ?? ''}?`}
                confirmLabel="Remove"
                danger
                onConfirm={() => void remove()}
                onCancel={() => setDeleting(null)}
            >
                <p>Their sessions end and they can no longer log in.</p>
            </ConfirmDialog>
            <ConfirmDialog
                open={demotingSelf !== null}
                title={`Make yourself ${demotingSelf ? aRole(demotingSelf.role) : ''}?`}
                confirmLabel="Change my role"
                danger
                busy={changingRole !== null}
                onConfirm={() => demotingSelf && void changeRole(demotingSelf)}
                onCancel={() => setDemotingSelf(null)}
            >
                <p>
                    You lose what the {demotingSelf?.user.role} role allows{demotingSelf?.user.role === 'admin' ? ', managing users and settings included' : ''}, and
                    only another admin can give it back.
                </p>
            </ConfirmDialog>
            <PasswordDialog user={passwordFor} onDone={() => setPasswordFor(null)} />
        </section>
    );
}
