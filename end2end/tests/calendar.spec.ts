import { test, expect, freshServer, hydrated, signIn, NOW } from "./fixtures";

freshServer();

test("a release manager moves a planned patch and the calendar and feed follow", async ({ page, consoleErrors }) => {
  await signIn(page, "manager");
  // The current line's next patch, and its calendar entry (keyed by its slot, not its version).
  const matrix = await (await page.request.get("/api/v1/releases")).json();
  const current = matrix.result.find((l: { status: string }) => l.status === "current");
  const version: string = current.nextPatch.version;
  const schedule = await (await page.request.get(`/api/v1/schedule?kinds=patch&lines=${current.name}`)).json();
  const uid: string = schedule.events.find((e: { version: string }) => e.version === version).uid;
  const before = await (await page.request.get("/calendar.ics")).text();
  expect(before).toContain(`UID:${uid}@`);

  // The 10th of the month after the server's pinned "now".
  const next = new Date(NOW);
  await page.goto("/calendar");
  await hydrated(page);
  const target = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 10));
  const iso = target.toISOString().slice(0, 10);

  const form = page.getByRole("form", { name: "Move a release" });
  await form.getByLabel("Release").selectOption(version);
  await form.getByLabel("New date").fill(iso);
  await form.getByLabel("Why").fill("moved for a holiday");
  await form.getByRole("button", { name: "Move" }).click();

  await expect(page.locator("ol.agenda").getByText("moved for a holiday").first()).toBeVisible();

  const after = await (await page.request.get("/calendar.ics")).text();
  const event = after.split("BEGIN:VEVENT").find((e) => e.includes(`UID:${uid}@`))!;
  expect(event).toContain(`DTSTART;VALUE=DATE:${iso.replaceAll("-", "")}`);
  expect(event).toMatch(/SEQUENCE:[1-9]/);
  expect(event).toContain("moved for a holiday");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the month grid navigates and filters", async ({ page }) => {
    // The server's clock is pinned to NOW (26 November 2026): the next month is December.
    await page.goto("/calendar");
    await expect(page.locator("h2.month-title")).toHaveText("November 2026");
    await page.getByRole("link", { name: /→/ }).click();
    await expect(page).toHaveURL(/month=2026-12/);
    await expect(page.locator("h2.month-title")).toHaveText("December 2026");
    const grid = page.locator("table td");
    await expect(grid.locator("a.chip.kind-patch").first()).toBeVisible();
    await expect(grid.locator("a.chip.kind-end-of-life").first()).toBeVisible();

    await page.getByLabel("end of life").uncheck();
    await page.getByLabel("patch release").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/kinds=/);
    await expect(page.locator("h2.month-title")).toHaveText("December 2026");
    // Only what the filter kept is shown, and the patches are still there.
    await expect(grid.locator("a.chip.kind-patch").first()).toBeVisible();
    await expect(grid.locator("a.chip.kind-end-of-life")).toHaveCount(0);
  });
});
