import { useMemo } from 'react';
import { ellipsize, formatCompact, formatCount, formatMs } from '../lib/format';
import { queryPath } from '../lib/router';
import { scatterLayout } from '../lib/series';
import type { Statement } from '../lib/types';
import { useRouter } from '../app/router';

const W = 640;
const H = 300;
const M = { left: 64, right: 16, top: 12, bottom: 40 };

/// Statements by calls (x, log) and mean time (y, log); bubble size follows total time. Each bubble
/// is a link to the statement (Tab reaches them; the label says its numbers).
export function Scatter({ statements }: { statements: readonly Statement[] }) {
    const { navigate } = useRouter();
    const iw = W - M.left - M.right;
    const ih = H - M.top - M.bottom;
    const layout = useMemo(() => scatterLayout(statements, iw, ih), [statements, iw, ih]);
    if (layout.points.length === 0) return <p className="muted">No statements with calls in this range.</p>;
    return (
        <div className="scatter">
            <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label="Statements by number of calls and mean time">
                <g className="axis" transform={`translate(${M.left},${M.top})`}>
                    {layout.xTicks.map((t) => (
                        <g key={`x${t.value}`} transform={`translate(${t.pos},0)`}>
                            <line y1={0} y2={ih} />
                            <text y={ih + 16} textAnchor="middle">
                                {formatCompact(t.value)}
                            </text>
                        </g>
                    ))}
                    {layout.yTicks.map((t) => (
                        <g key={`y${t.value}`} transform={`translate(0,${t.pos})`}>
                            <line x1={0} x2={iw} />
                            <text x={-6} dy="0.32em" textAnchor="end">
                                {formatMs(t.value)}
                            </text>
                        </g>
                    ))}
                    <text x={iw / 2} y={ih + 34} textAnchor="middle">
                        calls (log scale)
                    </text>
                    <text transform={`translate(${-52},${ih / 2}) rotate(-90)`} textAnchor="middle">
                        mean time
                    </text>
                </g>
                <g transform={`translate(${M.left},${M.top})`}>
                    {layout.points.map((p) => {
                        const s = p.statement;
                        const href = queryPath(s.fingerprint);
                        return (
                            <a
                                key={s.fingerprint}
                                href={href}
                                aria-label={`${ellipsize(s.query, 80)}: ${formatCount(s.calls)} calls, mean ${formatMs(s.mean_ms)}, total ${formatMs(s.total_ms)}`}
                                onClick={(e) => {
                                    e.preventDefault();
                                    navigate(href);
                                }}
                            >
                                <title>{`${ellipsize(s.query, 120)}\n${formatCount(s.calls)} calls · mean ${formatMs(s.mean_ms)} · total ${formatMs(s.total_ms)}`}</title>
                                <circle cx={p.x} cy={p.y} r={p.r} />
                            </a>
                        );
                    })}
                </g>
            </svg>
        </div>
    );
}
