import { test as base, expect, Page } from "@playwright/test";

/** Every journey fails on a console error or an uncaught exception in the page. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (msg) => {
      // Chromium logs every 4xx answer as an error; the journeys visit pages that answer
      // 401, 403 and 404 on purpose, and those pages are checked by what they show.
      if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()))
        errors.push(msg.text());
    });
    page.on("pageerror", (err) => errors.push(String(err)));
    await use(errors);
    expect(errors, "console errors").toEqual([]);
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
