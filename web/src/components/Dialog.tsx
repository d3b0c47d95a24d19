import { useEffect, useId, useRef, type ReactNode } from 'react';

/// A modal confirmation on the native <dialog>: focus stays inside, Escape cancels.
export function ConfirmDialog({
    open,
    title,
    children,
    confirmLabel,
    danger,
    busy,
    onConfirm,
    onCancel,
    onStop,
    stopLabel,
}: {
    open: boolean;
    title: string;
    children: ReactNode;
    confirmLabel: string;
    danger?: boolean;
    busy?: boolean;
    onConfirm: () => void;
    onCancel: () => void;
    /// While busy, a button that stops what the confirmation started (e.g. an index build).
    onStop?: () => void;
    stopLabel?: string;
}) {
    const ref = useRef<HTMLDialogElement>(null);
    const titleId = useId();
    useEffect(() => {
        const d = ref.current;
        if (!d) return;
        if (open && !d.open) {
            if (typeof d.showModal === 'function') d.showModal();
            else d.setAttribute('open', '');
        } else if (!open && d.open) {
            d.close();
        }
    }, [open]);
    return (
        <dialog
            ref={ref}
            aria-labelledby={titleId}
            onCancel={(e) => {
                e.preventDefault();
                if (!busy) onCancel();
            }}
        >
            <h2 id={titleId}>{title}</h2>
            <div>{children}</div>
            <div className="dialog-actions">
                {busy && onStop ? (
                    <button type="button" className="danger" onClick={onStop}>
                        {stopLabel ?? 'Stop'}
                    </button>
                ) : (
                    <button type="button" onClick={onCancel} disabled={busy} autoFocus>
                        Cancel
                    </button>
                )}
                <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
                    {busy ? <span className="spinner" aria-hidden="true" /> : null}
                    {confirmLabel}
                </button>
            </div>
        </dialog>
    );
}
