import { test, expect, hydrated, signIn } from "./fixtures";

test("a release manager previews and publishes a release and sees the GitHub link", async ({ page, consoleErrors }) => {
  await signIn(page, "manager");
  // The demo keeps one shipped patch approved but not yet on GitHub.
  await page.goto("/releases/1.11.1");
  await hydrated(page);
  const section = page.getByRole("region", { name: "GitHub" });
  await expect(section.getByText("Tag")).toBeVisible();
  await expect(section.getByLabel("Release notes")).toContainText("Patch release 1.11.1 of the 1.11 line.");
  await expect(section).toContainText("no: a newer release is latest");
  await section.getByRole("button", { name: "Publish to GitHub" }).click();
  const link = section.getByRole("link", { name: "View on GitHub" });
  await expect(link).toBeVisible({ timeout: 20_000 });
  await expect(link).toHaveAttribute("href", /releases\/tag\/1\.11\.1$/);
  await expect(section).toContainText("published");
});
