import { test, expect, freshServer, hydrated, signIn } from "./fixtures";

freshServer();

test("a developer files a security request for every supported line; a manager decides; the requester sees it", async ({ page, anotherPerson, consoleErrors }) => {
  await signIn(page, "developer");
  await page.goto("/patch-requests/new");
  await hydrated(page);

  const targets = page.getByRole("group", { name: "Target lines" }).getByRole("checkbox");
  const lineCount = await targets.count();
  expect(lineCount).toBeGreaterThanOrEqual(3);
  for (let i = 0; i < lineCount; i++) await expect(targets.nth(i)).toBeChecked();

  await page.getByLabel("Title").fill("Auth filter lets expired tokens through");
  await page.getByLabel("Security (vulnerability)").check();
  await expect(page.getByText("This qualifies for a patch release")).toBeVisible();
  await page.getByLabel(/^S2/).check();
  // The rules answer while typing: a bad link is flagged next to its field.
  await page.getByLabel("Bug link (required)").fill("not a link");
  await page.getByLabel("Bug link (required)").blur();
  await expect(page.locator("#bug_link-error")).toContainText("http:// or https://");
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/77");
  await expect(page.locator("#bug_link-error")).toBeHidden();
  await page.getByLabel("low", { exact: true }).check();
  await page.getByLabel("CVE id").fill("CVE-2026-77777");
  await page.getByRole("button", { name: "File the request" }).click();

  await expect(page).toHaveURL(/\/patch-requests\/\d+$/);
  const requestUrl = page.url();
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(lineCount + 1);
  await expect(page.getByRole("table")).toContainText("awaiting triage");

  // A release manager approves two lines and rejects one.
  const manager = await anotherPerson();
  await signIn(manager, "manager");
  await manager.goto(requestUrl);
  await hydrated(manager);
  const lineNames = await manager.getByRole("table").locator("tbody th").allInnerTexts();
  const decide = (line: string) => manager.getByRole("form", { name: `Decide ${line}` });
  await decide(lineNames[0]).getByRole("button", { name: "Approve" }).click();
  await expect(manager.getByRole("row", { name: new RegExp(`^${lineNames[0].replace(".", "\\.")}`) })).toContainText("approved by manager");
  await decide(lineNames[1]).getByRole("button", { name: "Approve" }).click();
  await expect(manager.getByRole("row", { name: new RegExp(`^${lineNames[1].replace(".", "\\.")}`) })).toContainText("approved by manager");
  await decide(lineNames[2]).getByLabel(/Reason for/).fill("this line does not have the filter");
  await decide(lineNames[2]).getByRole("button", { name: "Reject" }).click();
  await expect(manager.getByRole("row", { name: new RegExp(`^${lineNames[2].replace(".", "\\.")}`) })).toContainText("rejected");

  // The requester sees each decision and the patch versions planned.
  await page.reload();
  await hydrated(page);
  const first = page.getByRole("row", { name: new RegExp(`^${lineNames[0].replace(".", "\\.")}`) });
  await expect(first).toContainText("approved");
  await expect(first).toContainText(new RegExp(`${lineNames[0].replace(".", "\\.")}\\.\\d+ · .* \\(planned\\)`));
  await expect(page.getByRole("row", { name: new RegExp(`^${lineNames[2].replace(".", "\\.")}`) })).toContainText("this line does not have the filter");
});

test("a feature is told it waits for the named monthly release", async ({ page, consoleErrors }) => {
  await signIn(page, "developer");
  await page.goto("/patch-requests/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Add a knob for retry budgets");
  await page.getByLabel("Feature or improvement").check();
  const verdict = page.getByText("This does not qualify for a patch release");
  await expect(verdict).toBeVisible();
  await expect(page.locator(".callout.warn")).toContainText(/1\.\d+\.0 on \d+ \w+ \d{4}/);
  await page.getByLabel(/^S4/).check();
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/88");
  await page.getByLabel("low", { exact: true }).check();
  await page.getByRole("button", { name: "Record for the monthly release" }).click();
  await expect(page).toHaveURL(/\/patch-requests\/\d+$/);
  await expect(page.getByText(/Deferred: .* ships in the monthly release/)).toBeVisible();
});

test("a requester edits a request until triage starts, a manager reclassifies it, and the requester withdraws it", async ({ page, anotherPerson, consoleErrors, expectStatus }) => {
  // The withdrawal without a reason and the manager's reclassification that changes nothing
  // are refused, on purpose.
  expectStatus(/withdraw_patch_request/, 400);
  expectStatus(/reclassify_patch_request/, 400);
  await signIn(page, "developer");
  await page.goto("/patch-requests/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Sidecar hangs on shutdwon");
  await page.getByLabel("Stability (crash, hang, data loss, regression)").check();
  await page.getByLabel(/^S3/).check();
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/91");
  await page.getByLabel("low", { exact: true }).check();
  await page.getByRole("button", { name: "File the request" }).click();
  await expect(page).toHaveURL(/\/patch-requests\/\d+$/);
  const requestUrl = page.url();

  // The form comes back filled in; a wrong value is named next to its field and nothing is lost.
  await page.getByRole("link", { name: "Edit the request" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await hydrated(page);
  await expect(page.getByLabel("Title")).toHaveValue("Sidecar hangs on shutdwon");
  await page.getByLabel("Bug link (required)").fill("not a link");
  await page.getByRole("button", { name: "Save the changes" }).click();
  await expect(page.locator("#bug_link-error")).toContainText("http:// or https://");
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/91");
  await page.getByLabel("Title").fill("Sidecar hangs on shutdown");
  await page.getByLabel(/^S2/).check();
  await page.getByRole("button", { name: "Save the changes" }).click();
  await expect(page).toHaveURL(requestUrl);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sidecar hangs on shutdown");
  await expect(page.locator(".timeline-events")).toContainText("edited title; severity S3 → S2");

  // A release manager reclassifies it, saying why.
  const manager = await anotherPerson();
  await signIn(manager, "manager");
  await manager.goto(requestUrl);
  await hydrated(manager);
  const reclassify = manager.getByRole("form", { name: "Reclassify the request" });
  await reclassify.getByLabel("Reason").fill("every upgrade hangs");
  await reclassify.getByRole("button", { name: "Reclassify" }).click();
  await expect(manager.locator("#reclassify-category-error")).toContainText("classified that way already");
  await reclassify.getByLabel("Severity").selectOption("S1");
  await reclassify.getByRole("button", { name: "Reclassify" }).click();
  await expect(manager.locator(".timeline-events")).toContainText("reclassified it from stability S2 to stability S1: every upgrade hangs");

  // The requester withdraws it: a reason is asked for, then every line leaves triage.
  await page.reload();
  await hydrated(page);
  const withdraw = page.getByRole("form", { name: "Withdraw the request" });
  await withdraw.getByLabel("Why withdraw it").fill("  ");
  await withdraw.getByRole("button", { name: "Withdraw the request" }).click();
  await expect(page.locator("#withdraw-reason-error")).toContainText("say why you withdraw it");
  await withdraw.getByLabel("Why withdraw it").fill("the hang was our own init script");
  await withdraw.getByRole("button", { name: "Withdraw the request" }).click();
  await expect(page.locator(".badges")).toContainText("withdrawn");
  await expect(page.getByRole("table")).toContainText("withdrawn by its requester: the hang was our own init script");
  await expect(page.getByRole("link", { name: "Edit the request" })).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a failed submission keeps everything typed", async ({ page, expectStatus }) => {
    expectStatus(/^\/patch-requests\/new$/, 400);
    await page.goto("/login");
    await page.getByLabel("Name").fill("dev");
    await page.getByLabel("Password").fill("trainyard-dev-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.goto("/patch-requests/new");
    await page.getByLabel("Title").fill("Crash without a bug link");
    await page.getByLabel("Stability (crash, hang, data loss, regression)").check();
    await page.getByLabel(/^S3/).check();
    await page.getByLabel("Impact if declined").fill("typed carefully, must not be lost");
    await page.getByRole("button", { name: /File the request/ }).click();
    await expect(page.getByLabel("Title")).toHaveValue("Crash without a bug link");
    await expect(page.getByLabel("Impact if declined")).toHaveValue("typed carefully, must not be lost");
    await expect(page.locator("#bug_link-error")).toContainText("a link to the bug is required");
  });
});
