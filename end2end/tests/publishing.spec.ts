import { test, expect, freshServer, hydrated, signIn, NOW } from "./fixtures";

freshServer();

/** The fake GitHub the server publishes to (see playwright.config.ts). */
const fakeGitHub = `http://127.0.0.1:${process.env.E2E_GITHUB_PORT}`;
const escape = (s: string) => s.replaceAll(".", "\\.");
/** The server's pinned "now". */
const now = new Date(NOW);
/** A build name's time part: YYYYMMDD-HHMM in UTC. */
const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");

test("a security fix goes from request to a published patch release, and its requester sees it shipped", async ({ page, anotherPerson, consoleErrors }) => {
  const matrix = await (await page.request.get("/api/v1/releases")).json();
  const line: string = matrix.result.find((l: { status: string }) => l.status === "current").name;
  const lineRow = (p: typeof page) => p.getByRole("row", { name: new RegExp(`^${escape(line)} `) });

  // The developer files an S1 for the current line only.
  await signIn(page, "developer");
  await page.goto("/patch-requests/new");
  await hydrated(page);
  const boxes = page.getByRole("group", { name: "Target lines" }).getByRole("checkbox");
  for (let i = 0; i < (await boxes.count()); i++) {
    if ((await boxes.nth(i).getAttribute("value")) !== line) await boxes.nth(i).uncheck();
  }
  await page.getByLabel("Title").fill("Admin port accepts unsigned tokens");
  await page.getByLabel("Security (vulnerability)").check();
  await page.getByLabel(/^S1/).check();
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/501");
  await page.getByLabel("low", { exact: true }).check();
  await page.getByLabel("CVE id").fill("CVE-2026-55555");
  await page.getByRole("button", { name: "File the request" }).click();
  await expect(page).toHaveURL(/\/patch-requests\/\d+$/);
  const requestUrl = page.url();

  // A release manager approves it in an out-of-band release today.
  const manager = await anotherPerson();
  await signIn(manager, "manager");
  await manager.goto(requestUrl);
  await hydrated(manager);
  await manager.getByLabel("S1: ship out of band on").fill(NOW.slice(0, 10));
  await manager.getByRole("button", { name: "Approve out of band" }).click();
  await expect(lineRow(manager)).toContainText("approved by manager");
  const version = (await lineRow(manager).innerText()).match(new RegExp(`(${escape(line)}\\.\\d+) ·`))![1];

  // The developer's cherry-pick merges on GitHub and is recorded on the request.
  // The fake GitHub outlives this spec's server: a number no earlier run has used.
  const number = 5000 + Math.floor(Math.random() * 4000);
  const merged = await page.request.put(`${fakeGitHub}/_fake/pulls/${number}`, {
    data: { base: `release-${line}`, merged_at: new Date(now.getTime() - 2 * 3600_000).toISOString(), merge_commit_sha: "a".repeat(40) },
  });
  expect(merged.ok()).toBeTruthy();
  await page.reload();
  await hydrated(page);
  await page.getByLabel(`Pull request for ${line}`).fill(`https://github.com/example/trainyard-demo/pull/${number}`);
  await page.getByRole("button", { name: "Record" }).click();
  await expect(lineRow(page).getByRole("link", { name: "pull request" })).toBeVisible();

  // CI reports a build of the release branch, cut after the merge, that passed its tests.
  const build = `release-${line}-${stamp(new Date(now.getTime() - 60_000))}`;
  const reported = await manager.request.post("/api/v1/builds", { data: { name: build, commit: "b".repeat(40) } });
  expect(reported.status()).toBe(201);
  const tested = await manager.request.post(`/api/v1/builds/${build}/results`, { data: { suite: "functional", status: "passed" } });
  expect(tested.ok()).toBeTruthy();

  // The train proposes that build; the manager approves the patch on /train.
  await manager.goto("/train");
  await hydrated(manager);
  await manager.getByRole("button", { name: "Run the train now" }).click();
  const card = manager.getByRole("article", { name: `Release ${version}` });
  await expect(card).toContainText(`Candidate build: ${build}`);
  await card.getByRole("button", { name: `Approve ${version}` }).click();
  await expect(manager.getByRole("article", { name: `Release ${version}` })).toContainText("approved");

  // Publishing: the notes carry the fix; GitHub gets the release.
  await manager.goto(`/releases/${version}`);
  await hydrated(manager);
  const section = manager.getByRole("region", { name: "GitHub" });
  await expect(section.getByLabel("Release notes")).toContainText("Admin port accepts unsigned tokens");
  await expect(section.getByLabel("Release notes")).toContainText("CVE-2026-55555");
  await section.getByRole("button", { name: "Publish to GitHub" }).click();
  const link = section.getByRole("link", { name: "View on GitHub" });
  await expect(link).toBeVisible({ timeout: 20_000 });
  await expect(link).toHaveAttribute("href", new RegExp(`releases/tag/${escape(version)}$`));

  // The requester sees the fix shipped, with the link.
  await page.reload();
  await expect(lineRow(page)).toContainText(`shipped in ${version}`);
  await expect(lineRow(page).getByRole("link", { name: "on GitHub" })).toBeVisible();
});
