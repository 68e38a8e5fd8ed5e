import type { ScaleCurve } from "./benchRegistry";

// One `--scale` curve as a small standalone SVG line chart (no dependency): sizes on a log-scale x
// axis (they grow ×10), the figure on a linear y axis from 0, each point labelled with its value.

const W = 640;
const H = 360;
const PAD = { left: 72, right: 24, top: 44, bottom: 56 };

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** 1,000 → "1k", 1,000,000 → "1M". */
export function shortNumber(n: number): string {
  const units: Array<[number, string]> = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(n) >= size) return `${Number((n / size).toPrecision(3))}${suffix}`;
  }
  return String(Number(n.toPrecision(3)));
}

/** A "nice" step (1, 2 or 5 × 10^k) giving about `count` ticks from 0 to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw)!;
  return step * power;
}

export function lineChartSvg(curve: ScaleCurve): string {
  const points = [...curve.points].sort((a, b) => a.size - b.size);
  if (points.length === 0) throw new Error(`chart ${curve.key}: no points`);
  if (points.some((p) => !(p.size > 0) || !Number.isFinite(p.value)))
    throw new Error(`chart ${curve.key}: sizes must be > 0 (log axis) and values finite`);

  // Decades around the sizes; a size a hair under a power of ten (9,943 events) counts as it.
  const lo = Math.floor(Math.log10(points[0]!.size * 1.05));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(points.at(-1)!.size / 1.05)));
  const maxValue = Math.max(...points.map((p) => p.value), 0);
  const step = niceStep(maxValue);
  const top = Math.max(step, Math.ceil((maxValue * 1.05) / step) * step);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (size: number) => PAD.left + ((Math.log10(size) - lo) / (hi - lo)) * plotW;
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  const f = (n: number) => n.toFixed(1);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`${curve.title} (${curve.unit} by ${curve.sizeLabel})`)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(curve.title)}</text>`,
  ];
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#e5e5e5"/>`,
      `<text x="${PAD.left - 8}" y="${f(y(v) + 4)}" text-anchor="end">${escapeXml(shortNumber(v))}</text>`,
    );
  }
  for (let k = lo; k <= hi; k++) {
    const size = 10 ** k;
    out.push(
      `<line x1="${f(x(size))}" x2="${f(x(size))}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${f(x(size))}" y="${PAD.top + plotH + 18}" text-anchor="middle">${escapeXml(shortNumber(size))}</text>`,
    );
  }
  out.push(
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(curve.sizeLabel)} (log scale)</text>`,
    `<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(curve.unit)}</text>`,
    `<polyline fill="none" stroke="#2563eb" stroke-width="2" points="${points.map((p) => `${f(x(p.size))},${f(y(p.value))}`).join(" ")}"/>`,
  );
  for (const p of points) {
    out.push(
      `<circle cx="${f(x(p.size))}" cy="${f(y(p.value))}" r="4" fill="#2563eb"/>`,
      `<text x="${f(x(p.size))}" y="${f(y(p.value) - 10)}" text-anchor="middle">${escapeXml(shortNumber(p.value))}</text>`,
    );
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
