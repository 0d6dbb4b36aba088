import { defineConfig } from "@playwright/test";
import { execSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Each spec file starts the real server binary itself, on a port the server picks, against a
// fresh SQLite file (tests/fixtures.ts). Only the stand-in for GitHub is shared. The config is
// loaded again in every worker: the first load picks the fake's port and leaves it in the
// environment, which workers inherit.
const freePort = () =>
  execSync(`python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"`)
    .toString()
    .trim();
process.env.E2E_GITHUB_PORT ??= freePort();
const githubPort = process.env.E2E_GITHUB_PORT;
const githubToken = "e2e-github-token";
// A real SMTP server (Debian's aiosmtpd) that files every mail it accepts in a Maildir the
// journeys read.
process.env.E2E_SMTP_PORT ??= freePort();
process.env.E2E_MAILDIR ??= join(mkdtempSync(join(tmpdir(), "trainyard-e2e-mail-")), "mail");
const smtpPort = process.env.E2E_SMTP_PORT;

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
      command: `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox ${process.env.E2E_MAILDIR}`,
      port: Number(smtpPort),
      timeout: 10_000,
      reuseExistingServer: false,
    },
  ],
});
