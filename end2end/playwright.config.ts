import { defineConfig } from "@playwright/test";
import { execSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The real server binary, on a free port, against a fresh SQLite file with demo data. The
// config is loaded again in every worker: the first load picks the port and the folder and
// leaves them in the environment, which workers inherit.
const freePort = () =>
  execSync(`python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"`)
    .toString()
    .trim();
process.env.E2E_PORT ??= freePort();
process.env.E2E_GITHUB_PORT ??= freePort();
process.env.E2E_DATA ??= mkdtempSync(join(tmpdir(), "trainyard-e2e-"));
const port = process.env.E2E_PORT;
const githubPort = process.env.E2E_GITHUB_PORT;
const dataDir = process.env.E2E_DATA;
const githubToken = "e2e-github-token";
const server = process.env.SERVER_BIN ?? resolve("../target/release/trainyard");
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: [
    {
      // A stand-in for GitHub's releases API (a real HTTP server, not a mock of our code).
      command: "node fake-github.mjs",
      url: `http://127.0.0.1:${githubPort}/`,
      timeout: 10_000,
      reuseExistingServer: false,
      env: { FAKE_GITHUB_PORT: githubPort, FAKE_GITHUB_TOKEN: githubToken },
    },
    {
    command: server,
    cwd: resolve(".."),
    url: `${baseURL}/releases`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      TRAINYARD_DATABASE_URL: `sqlite://${join(dataDir, "e2e.db")}`,
      TRAINYARD_DEMO: "1",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_HASH_FILES: "true",
      LEPTOS_OUTPUT_NAME: "trainyard",
      LEPTOS_ENV: "PROD",
      TRAINYARD_GITHUB_API_URL: `http://127.0.0.1:${githubPort}`,
      TRAINYARD_GITHUB_REPO: "example/trainyard-demo",
      TRAINYARD_GITHUB_TOKEN: githubToken,
    },
    },
  ],
});
