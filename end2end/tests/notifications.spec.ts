import { test, expect, freshServer, hydrated, mailsTo, signIn } from "./fixtures";

freshServer();

test("a requester gives a mail address, files a request, and learns of the decision by mail and on My requests", async ({ page, anotherPerson, baseURL, consoleErrors, expectStatus }) => {
  const address = `dev-${Date.now()}@example.com`;
  await signIn(page, "developer");
  await page.getByRole("link", { name: "Notifications" }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await hydrated(page);

  // A wrong address is refused next to its field, and what was typed stays.
  expectStatus(/^\/api\/save_notifications/, 400);
  await page.getByLabel("Mail address").fill("dev at example");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#notify-email-error")).toContainText("is not an email address");
  await expect(page.getByLabel("Mail address")).toHaveValue("dev at example");

  // Every kind is on until turned off; the developer turns filings off and saves.
  await expect(page.getByLabel("A line of my request is decided")).toBeChecked();
  await page.getByLabel(/A patch request is filed/).uncheck();
  await page.getByLabel("Mail address").fill(address);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Mail address")).toHaveValue(address);
  await expect(page.getByLabel(/A patch request is filed/)).not.toBeChecked();

  // A stability request for the newest line.
  await page.goto("/patch-requests/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("The proxy stops answering after a config reload");
  await page.getByLabel(/^Stability/).check();
  await page.getByLabel(/^S2/).check();
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/4242");
  await page.getByLabel("low", { exact: true }).check();
  await page.getByRole("button", { name: "File the request" }).click();
  await expect(page).toHaveURL(/\/patch-requests\/\d+$/);
  const requestPath = new URL(page.url()).pathname;
  const line = (await page.getByRole("table").locator("tbody th").allInnerTexts())[0];

  // A release manager approves it for that line.
  const manager = await anotherPerson();
  await signIn(manager, "manager");
  await manager.goto(requestPath);
  await hydrated(manager);
  await manager.getByRole("form", { name: `Decide ${line}` }).getByRole("button", { name: "Approve" }).click();
  await expect(manager.getByRole("row", { name: new RegExp(`^${line.replace(".", "\\.")}`) })).toContainText("approved by manager");

  // The decision arrives by mail, once, with a link to the request.
  await expect.poll(() => mailsTo(address).length, { timeout: 20_000 }).toBe(1);
  const [mail] = mailsTo(address);
  expect(mail.subject).toBe(`Patch request #${requestPath.split("/").pop()} “The proxy stops answering after a config reload” decided`);
  expect(mail.body).toContain(`approved for ${line}`);
  const link = /(http:\/\/\S+\/patch-requests\/\d+)/.exec(mail.body)?.[1];
  expect(link).toBe(`${baseURL}${requestPath}`);

  // The link leads to the request; "My requests" shows the line approved.
  await page.goto(link!);
  await expect(page.getByRole("row", { name: new RegExp(`^${line.replace(".", "\\.")}`) })).toContainText("approved");
  await page.goto("/patch-requests");
  await page.getByRole("link", { name: "My requests" }).click();
  await expect(page.getByRole("main")).toContainText("The proxy stops answering after a config reload");
  await expect(page.getByRole("main")).toContainText(`${line} approved`);

  // Filing the same bug again, the form points at the request already in play.
  await page.goto("/patch-requests/new");
  await hydrated(page);
  await page.getByLabel("Bug link (required)").fill("https://github.com/example/trainyard-demo/issues/4242");
  await page.getByLabel("Fix link").focus();
  await expect(page.locator("#same-bug")).toContainText("may be the same bug");
  await expect(page.locator("#same-bug").getByRole("link")).toHaveAttribute("href", requestPath);

  // The notifications page lists what was sent.
  await page.goto("/notifications");
  await expect(page.getByRole("region", { name: `Sent to ${address}` })).toContainText("decided · sent");
  expect(mailsTo(address)).toHaveLength(1);
});

test("an admin adds a webhook: a wrong URL is named next to its field and stays as typed", async ({ page, consoleErrors, expectStatus }) => {
  expectStatus(/^\/api\/add_webhook/, 400);
  await signIn(page, "admin");
  await page.goto("/notifications");
  await hydrated(page);
  const add = page.getByRole("form", { name: "Add a webhook" });
  await add.getByLabel("Receiver URL").fill("ftp://chat.example/hook");
  // Every add, failed or not, reloads the page's data; what was typed must outlive that reload.
  const reloaded = page.waitForResponse((r) => r.url().includes("/api/load_notifications"));
  await add.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.locator("#webhook-url-error")).toContainText("starts with https://");
  await reloaded;
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
  expect(await add.getByLabel("Receiver URL").inputValue()).toBe("ftp://chat.example/hook");
  await expect(page.locator("#webhook-url-error")).toContainText("starts with https://");

  await add.getByLabel("Receiver URL").fill("https://chat.example/hooks/{team}");
  await add.getByLabel(/A line of my request is decided/).uncheck();
  await add.getByRole("button", { name: "Add webhook" }).click();
  await expect(page.getByText("Copy this secret now")).toBeVisible();
  const row = page.getByRole("row", { name: /chat\.example\/hooks\/%7Bteam%7D/ });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText("line_decided");
  await expect(row).toContainText("request_filed");
});
