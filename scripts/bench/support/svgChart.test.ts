import { describe, expect, it } from "vitest";
import { lineChartSvg, niceStep, shortNumber } from "./svgChart";

const curve = {
  key: "scale.index.eventsPerSec",
  title: "Indexing <speed> & size",
  sizeLabel: "events",
  unit: "events/s",
  points: [
    { size: 1_000_000, value: 4_100 },
    { size: 10_000, value: 2_500 },
    { size: 100_000, value: 4_300 },
  ],
};

describe("lineChartSvg", () => {
  it("draws one polyline through the points in size order on a log x axis", () => {
    const svg = lineChartSvg(curve);
    const line = /<polyline[^>]* points="([^"]+)"/.exec(svg)?.[1];
    const xs = line!.split(" ").map((p) => Number(p.split(",")[0]));
    expect(xs).toHaveLength(3);
    // ×10 in size is the same distance on the axis.
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 0);
    expect(xs[0]!).toBeLessThan(xs[1]!);
  });

  it("labels decades, values and axes, escaping text", () => {
    const svg = lineChartSvg(curve);
    for (const label of [">10k<", ">100k<", ">1M<", ">4.3k<", "events (log scale)", "events/s"]) {
      expect(svg).toContain(label);
    }
    expect(svg).toContain("Indexing &lt;speed&gt; &amp; size");
    expect(svg.startsWith("<svg")).toBe(true);
  });

  it("puts higher values higher up, from a zero baseline", () => {
    const svg = lineChartSvg(curve);
    const ys = [...svg.matchAll(/<circle cx="[^"]+" cy="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(ys[0]!).toBeGreaterThan(ys[1]!); // 2,500 lower on the page than 4,300
    expect(svg).toContain(">0<");
  });

  it("spans the decades around the sizes, a size just under a power of ten counting as it", () => {
    const svg = lineChartSvg({
      ...curve,
      points: [
        { size: 9_943, value: 1 },
        { size: 99_404, value: 2 },
      ],
    });
    expect(svg).toContain(">10k<");
    expect(svg).toContain(">100k<");
    expect(svg).not.toContain(">1k<");
  });

  it("refuses sizes a log axis cannot show", () => {
    expect(() => lineChartSvg({ ...curve, points: [{ size: 0, value: 1 }] })).toThrow(/log axis/);
    expect(() => lineChartSvg({ ...curve, points: [] })).toThrow(/no points/);
  });
});

describe("axis helpers", () => {
  it("rounds ticks to 1, 2 or 5 × 10^k", () => {
    expect(niceStep(4_300)).toBe(1_000);
    expect(niceStep(870)).toBe(200);
    expect(niceStep(0)).toBe(1);
  });
  it("shortens numbers", () => {
    expect(shortNumber(1_000_000)).toBe("1M");
    expect(shortNumber(12_345)).toBe("12.3k");
    expect(shortNumber(812)).toBe("812");
  });
});
