import { useEffect, useState, type FormEvent } from 'react';
import { useSession } from '../../app/session';
import { useTitle } from '../../app/useAsync';
import { ThemeToggle } from '../../app/theme';
import { ApiError, errorMessage } from '../../lib/api';

export function LoginPage() {
    useTitle('Log in');
    const { login, notice } = useSession();
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<string | null>(null);
    const [waitS, setWaitS] = useState(0);

    useEffect(() => {
        if (waitS <= 0) return;
        const id = setTimeout(() => setWaitS((s) => s - 1), 1000);
        return () => clearTimeout(id);
    }, [waitS]);

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        if (!username || !password) {
            setError('Enter your user name and password.');
            return;
        }
        setBusy(true);
        setError(null);
        try {
            await login(username, password);
        } catch (err) {
            if (err instanceof ApiError && err.status === 401) setError('Wrong user name or password.');
            else if (err instanceof ApiError && err.status === 429) {
                setWaitS(err.retryAfterS ?? 60);
                setError('Too many failed attempts.');
            } else setError(errorMessage(err));
            setPassword('');
        } finally {
            setBusy(false);
        }
    };

    return (
        <main className="login" id="main">
            <div className="card">
                <div className="card-header">
                    <h1>Log in to OptiSchema</h1>
                    <ThemeToggle />
                </div>
                {notice && !error && <p className="inline-error">{notice}</p>}
                <form onSubmit={(e) => void submit(e)} noValidate aria-describedby={error ? 'login-error' : undefined}>
                    <div className="field">
                        <label htmlFor="username">User name</label>
                        <input
                            id="username"
                            name="username"
                            autoComplete="username"
                            value={username}
                            onChange={(e) => setUsername(e.target.value)}
                            autoFocus
                            required
                        />
                    </div>
                    <div className="field">
                        <label htmlFor="password">Password</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autoComplete="current-password"
                            value={password}
                            onChange={(e) => setPassword(e.target.value)}
                            required
                        />
                    </div>
                    {error && (
                        <p id="login-error" className="inline-error" role="alert">
                            {error}
                            {waitS > 0 ? ` Try again in ${waitS} s.` : ''}
                        </p>
                    )}
                    <button type="submit" className="primary" disabled={busy || waitS > 0}>
                        {busy ? <span className="spinner" aria-hidden="true" /> : null}
                        Log in
                    </button>
                </form>
            </div>
        </main>
    );
}
