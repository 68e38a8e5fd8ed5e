import { gzipSync } from "node:zlib";
import { ensureWebBuild } from "../web/build";
import { withInertApp } from "../web/inertApp";
import type { BenchSection } from "./support/benchRegistry";

// web.*: what a browser downloads to show the console's first page. GET / from the app (as the API
// serves it), then every script and stylesheet that page loads before any user action: the entry
// module and its modulepreloaded imports. Lazy pages (Integrate) are not part of it. Sizes are
// gzip (level 6, what a compressing proxy sends), in KB of 1,000 bytes.

const kb = (n: number) => Math.round(n / 10) / 100;

export const webSection: BenchSection = {
  key: "web",
  title: "Console web app: first load",
  describe: {
    firstLoadKbGzip: "JS of the first load of /, gzipped (target ≤ 250)",
    firstLoadKbRaw: "the same JS, uncompressed",
    cssKbGzip: "stylesheets of the first load, gzipped",
    lazyKbGzip: "JS of pages loaded on demand (Integrate: viem signing), gzipped",
    firstLoadRequests: "script and stylesheet requests of the first load",
  },
  async run(ctx) {
    const { dir } = await ensureWebBuild({ log: ctx.log });
    return withInertApp(
      async (app) => {
        const html = await (await app.request("/")).text();
        const scripts = [
          ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
          ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
        ].map((m) => m[1]!);
        const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
        const body = async (p: string) => Buffer.from(await (await app.request(p)).arrayBuffer());
        let raw = 0;
        let gz = 0;
        for (const s of scripts) {
          const b = await body(s);
          raw += b.length;
          gz += gzipSync(b).length;
        }
        let css = 0;
        for (const s of styles) css += gzipSync(await body(s)).length;
        // Every other script of the build is loaded on demand.
        const fs = await import("node:fs");
        const all = fs
          .readdirSync(`${dir}/assets`)
          .filter((f) => f.endsWith(".js"))
          .map((f) => `/assets/${f}`);
        let lazy = 0;
        for (const s of all.filter((a) => !scripts.includes(a))) lazy += gzipSync(await body(s)).length;
        ctx.log(`web: first load ${scripts.join(", ")} + ${styles.join(", ")}`);
        return {
          "web.firstLoadKbGzip": kb(gz),
          "web.firstLoadKbRaw": kb(raw),
          "web.cssKbGzip": kb(css),
          "web.lazyKbGzip": kb(lazy),
          "web.firstLoadRequests": scripts.length + styles.length,
        };
      },
      { webDir: dir },
    );
  },
};
