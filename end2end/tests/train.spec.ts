import { test, expect, freshServer, hydrated, signIn } from "./fixtures";

freshServer();

test("a release manager promotes the monthly candidate", async ({ page, consoleErrors }) => {
  await signIn(page, "manager");
  await page.goto("/train");
  await hydrated(page);
  const card = page.getByRole("region", { name: /Monthly candidate for/ });
  await expect(card).toContainText("Candidate: main-");
  const heading = await card.getByRole("heading").innerText();
  const version = heading.replace("Monthly candidate for ", "").trim();

  await card.getByRole("button", { name: /^Promote main-\d{8}-\d{4} to / }).click();
  await expect(page.getByRole("status")).toContainText(`Promoted to ${version}`);

  await page.getByRole("link", { name: version }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(version);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("approved");
  // Approved, it still ships on its day: the line stays in development until then.
  await page.goto("/releases");
  const line = version.split(".").slice(0, 2).join(".");
  await expect(page.getByRole("row", { name: new RegExp(`^${line.replace(".", "\\.")}`) })).toContainText("in development");
});

test("anyone sees the train; only managers see promote buttons", async ({ page, consoleErrors }) => {
  await page.goto("/train");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Weekly builds" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Promote/ })).toHaveCount(0);
});
