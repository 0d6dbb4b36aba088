import { test, expect, freshServer, hydrated, signIn } from "./fixtures";

freshServer();

test("a developer signs in and sees no manager or admin tools", async ({ page, consoleErrors, expectStatus }) => {
  expectStatus(/^\/admin$/, 403);
  await signIn(page, "developer");
  await expect(page.getByText("(developer)")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.goto("/calendar");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Corrections" })).toHaveCount(0);
  const admin = await page.goto("/admin");
  expect(admin?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
});

test("a release manager signs in and may correct the calendar", async ({ page, consoleErrors }) => {
  await signIn(page, "manager");
  await expect(page.getByText("(release manager)")).toBeVisible();
  await page.goto("/calendar");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Corrections" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
});

test("an admin signs in, manages users, and signs out", async ({ page, consoleErrors, expectStatus }) => {
  expectStatus(/^\/admin$/, 401);
  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Train policy" })).toBeVisible();
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Name").fill("erin");
  await form.getByLabel("Role").selectOption("release_manager");
  await form.getByLabel("Password").fill("a long enough password");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("row", { name: /^erin/ })).toContainText("release manager");
  await expect(page.getByRole("cell", { name: /created erin/ })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  const after = await page.goto("/admin");
  expect(after?.status()).toBe(401);
});

test("a wrong password is told without saying which part was wrong", async ({ page, consoleErrors, expectStatus }) => {
  expectStatus(/^\/api\//, 401);
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Name").fill("manager");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("that name and password do not match an account");
  await expect(page.getByLabel("Name")).toHaveValue("manager");
});
