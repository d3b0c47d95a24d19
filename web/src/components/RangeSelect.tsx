import { useId } from 'react';
import { RANGE_PRESETS } from '../lib/compare';

export function RangeSelect({ value, onChange, label = 'Time range' }: { value: string; onChange: (key: string) => void; label?: string }) {
    const id = useId();
    return (
        <span className="toolbar">
            <label htmlFor={id} className="visually-hidden">
                {label}
            </label>
            <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
                {RANGE_PRESETS.map((p) => (
                    <option key={p.key} value={p.key}>
                        {p.label}
                    </option>
                ))}
            </select>
        </span>
    );
}
