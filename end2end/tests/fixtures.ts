import { test as base, BrowserContext, expect, Page } from "@playwright/test";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

/** The instant every spec's server lives at: the demo history is computed from it. */
export const NOW = "2026-11-26T10:00:00Z";

type Server = { child: ChildProcess; url: string; data: string };
let server: Server | undefined;

/** The real server binary on a port it picks, against a fresh SQLite file with demo data,
 *  its clock pinned to `NOW` and no timed automation: only what the journeys do changes it. */
async function startServer(): Promise<Server> {
  const data = mkdtempSync(join(tmpdir(), "trainyard-e2e-"));
  const child = spawn(process.env.SERVER_BIN ?? resolve("../target/release/trainyard"), [], {
    cwd: resolve(".."),
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      TRAINYARD_DATABASE_URL: `sqlite://${join(data, "e2e.db")}`,
      TRAINYARD_DEMO: "1",
      TRAINYARD_NOW: NOW,
      TRAINYARD_AUTOMATION: "0",
      TRAINYARD_LOG: "info,sqlx=warn",
      LEPTOS_SITE_ADDR: "127.0.0.1:0",
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_HASH_FILES: "true",
      LEPTOS_OUTPUT_NAME: "trainyard",
      LEPTOS_ENV: "PROD",
      TRAINYARD_GITHUB_API_URL: `http://127.0.0.1:${process.env.E2E_GITHUB_PORT}`,
      TRAINYARD_GITHUB_REPO: "example/trainyard-demo",
      TRAINYARD_GITHUB_TOKEN: "e2e-github-token",
      TRAINYARD_SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
    },
  });
  const url = await new Promise<string>((found, failed) => {
    const timer = setTimeout(() => failed(new Error("the server did not report its address in 60 s")), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      failed(new Error(`the server exited with ${code}`));
    });
    // Reading every line also keeps the pipe drained for the server's whole life.
    createInterface({ input: child.stderr! }).on("line", (line) => {
      const address = /is running at (http:\/\/[^/\s]+)\//.exec(line);
      if (address) {
        clearTimeout(timer);
        found(address[1]);
      } else if (/ERROR|panicked/.test(line)) {
        console.error(`server: ${line}`);
      }
    });
  });
  return { child, url, data };
}

/** Gives this spec file a server of its own, started before its first test and stopped after
 *  its last, so no file sees another's writes. */
export function freshServer() {
  test.beforeAll(async () => {
    server = await startServer();
  });
  test.afterAll(async () => {
    if (!server) return;
    const { child, data } = server;
    server = undefined;
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(data, { recursive: true, force: true });
  });
}

/** A 4xx or 5xx answer a journey expects: the path (a pattern) and the status. */
type Expected = { path: RegExp; status: number };

/** What the browsers of one journey answered and logged that nobody expected. */
type Watcher = {
  expected: Expected[];
  unexpected: string[];
  consoleErrors: string[];
  /** Watches every page of `context`: its error answers, console errors and uncaught exceptions. */
  watch: (context: BrowserContext) => void;
};

export const test = base.extend<{
  watcher: Watcher;
  consoleErrors: string[];
  expectStatus: (path: RegExp, status: number) => void;
  anotherPerson: () => Promise<Page>;
}>({
  // Undefined only while the spec's own `beforeAll` starts the server (hooks get fixtures too).
  baseURL: async ({}, use) => {
    await use(server?.url);
  },
  watcher: async ({}, use) => {
    const watcher: Watcher = {
      expected: [],
      unexpected: [],
      consoleErrors: [],
      watch(context) {
        context.on("response", (res) => {
          if (res.status() < 400) return;
          const path = new URL(res.url()).pathname;
          if (!watcher.expected.some((e) => e.status === res.status() && e.path.test(path)))
            watcher.unexpected.push(`${res.status()} ${res.request().method()} ${path}`);
        });
        context.on("console", (msg) => {
          // Chromium logs every error answer here too; those are checked one by one, by path
          // and status, in `expectStatus`.
          if (msg.type() === "error" && !/^Failed to load resource: the server responded with a status of/.test(msg.text()))
            watcher.consoleErrors.push(msg.text());
        });
        context.on("weberror", (err) => watcher.consoleErrors.push(String(err.error())));
      },
    };
    await use(watcher);
  },
  /** Declares an error answer the journey causes on purpose; any other one, in any of the
   *  journey's browsers, fails it. */
  expectStatus: [async ({ page, watcher }, use) => {
    watcher.watch(page.context());
    await use((path, status) => watcher.expected.push({ path, status }));
    expect(watcher.unexpected, "error answers nobody expected").toEqual([]);
  }, { auto: true }],
  /** A journey that asks for this fails on a console error or an uncaught exception in any of
   *  its browsers. */
  consoleErrors: async ({ watcher }, use) => {
    await use(watcher.consoleErrors);
    expect(watcher.consoleErrors, "console errors").toEqual([]);
  },
  /** A second person at their own browser (cookies of their own), watched like the first. */
  anotherPerson: async ({ browser, baseURL, watcher }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      watcher.watch(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
  },
});

export { expect };

/** Waits until the page is interactive: its islands hydrated, if it has any (the bootstrap in app.rs marks the body). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
}

export const demoUsers = {
  developer: { name: "dev", password: "trainyard-dev-demo" },
  manager: { name: "manager", password: "trainyard-manager-demo" },
  admin: { name: "admin", password: "trainyard-admin-demo" },
};

/** Signs in through the login form and waits for the header to say so. */
export async function signIn(page: Page, who: keyof typeof demoUsers) {
  const user = demoUsers[who];
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(`Signed in as ${user.name}`)).toBeVisible();
}

/** A mail as the SMTP server filed it: its recipient, subject and text, transfer encodings undone. */
export type Mail = { to: string; subject: string; body: string };

function decodeQuotedPrintable(text: string): string {
  const bytes = Buffer.from(text.replace(/=\r?\n/g, ""), "latin1");
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes.subarray(i + 1, i + 3).toString("latin1");
    if (bytes[i] === 0x3d && /^[0-9A-F]{2}$/i.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return Buffer.from(out).toString("utf8");
}

/** RFC 2047 words (`=?utf-8?b?…?=`) as mail clients show them. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === "b" ? Buffer.from(text, "base64").toString("utf8") : decodeQuotedPrintable(text.replace(/_/g, " ")));
}

function parseMail(raw: string): Mail {
  const [head, ...rest] = raw.replace(/\r\n/g, "\n").split("\n\n");
  const headers = head.replace(/\n[ \t]/g, " ").split("\n");
  const header = (name: string) =>
    headers.find((h) => h.toLowerCase().startsWith(name.toLowerCase() + ":"))?.slice(name.length + 1).trim() ?? "";
  const text = rest.join("\n\n");
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  const body =
    encoding === "base64" ? Buffer.from(text, "base64").toString("utf8") : encoding === "quoted-printable" ? decodeQuotedPrintable(text) : text;
  return { to: header("To"), subject: decodeWords(header("Subject")), body };
}

/** Every mail the SMTP server has accepted for `to`. */
export function mailsTo(to: string): Mail[] {
  const dir = process.env.E2E_MAILDIR!;
  return ["new", "cur"]
    .map((sub) => join(dir, sub))
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).map((f) => parseMail(readFileSync(join(d, f), "utf8"))))
    .filter((m) => m.to === to);
}
