// The explorer's build: one page and its assets into the Python package (api/static/explorer),
// served by `taiqu serve` at / with nothing fetched from outside (an intranet has no internet).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/explorer/",
  // `npx vite` for development: the API of a `taiqu serve` on :8000 behind the dev server.
  server: { proxy: { "/graphql": process.env.TAIQU_API ?? "http://127.0.0.1:8000" } },
  build: {
    outDir: "../api/static/explorer",
    emptyOutDir: true,
    // Report sizes against the budget (1 MB gzipped) rather than Vite's default warning.
    chunkSizeWarningLimit: 1024,
    reportCompressedSize: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
});
