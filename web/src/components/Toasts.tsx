import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

type Kind = 'ok' | 'error' | 'info';
interface Toast {
    id: number;
    kind: Kind;
    text: string;
}

const ToastContext = createContext<(text: string, kind?: Kind) => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
    const [toasts, setToasts] = useState<Toast[]>([]);
    const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
    const push = useCallback(
        (text: string, kind: Kind = 'info') => {
            const id = Date.now() + Math.random();
            setToasts((t) => [...t.slice(-3), { id, kind, text }]);
            setTimeout(() => dismiss(id), kind === 'error' ? 10_000 : 5000);
        },
        [dismiss],
    );
    const value = useMemo(() => push, [push]);
    return (
        <ToastContext.Provider value={value}>
            {children}
            <div className="toasts" role="status" aria-live="polite">
                {toasts.map((t) => (
                    <div key={t.id} className={`toast ${t.kind}`}>
                        <span>{t.text}</span>
                        <button type="button" className="small" onClick={() => dismiss(t.id)} aria-label="Dismiss notification">
                            ×
                        </button>
                    </div>
                ))}
            </div>
        </ToastContext.Provider>
    );
}

export function useToast() {
    return useContext(ToastContext);
}
