import { test, expect, freshServer, hydrated } from "./fixtures";

freshServer();

/** The version cells of the matrix, top to bottom. */
async function lines(page) {
  return page.locator("table.matrix tbody th").allInnerTexts();
}

function semverDescending(a: string, b: string) {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return bm - am || bn - an;
}

test("the matrix lists the demo lines newest first in semver order", async ({ page, consoleErrors }) => {
  await page.goto("/releases");
  await hydrated(page);
  const shown = await lines(page);
  expect(shown.length).toBeGreaterThanOrEqual(4);
  expect(shown).toEqual([...shown].sort(semverDescending));
  // 1.10 sorts after 1.9, which text order would get wrong.
  expect(shown.indexOf("1.10")).toBeLessThan(shown.indexOf("1.9"));
  await expect(page.getByRole("row", { name: /1\.13/ })).toContainText("in development");
  await expect(page.getByRole("row", { name: /^1\.12/ })).toContainText("current");
  await expect(page.getByRole("img", { name: /Support timeline/ })).toBeVisible();
});

test("end-of-life lines show and hide, and the page loads no WebAssembly", async ({ page, consoleErrors }) => {
  // The matrix has nothing to hydrate: the page is complete as the server sends it.
  const scripts: string[] = [];
  page.on("request", (r) => { if (/\.(wasm|js)$/.test(r.url())) scripts.push(r.url()); });
  await page.goto("/releases");
  await hydrated(page);
  const before = await lines(page);
  expect(before).not.toContain("1.8");

  await page.getByRole("link", { name: /Show end-of-life lines/ }).click();
  await expect(page).toHaveURL(/eol=show/);
  await expect(page.locator("table.matrix tbody th", { hasText: /^1\.8$/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /^1\.8/ })).toContainText("end of life");

  await page.getByRole("link", { name: "Hide end-of-life lines" }).click();
  await expect(page.locator("table.matrix tbody th", { hasText: /^1\.8$/ })).toHaveCount(0);
  expect(scripts).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the end-of-life control is a plain link", async ({ page }) => {
    await page.goto("/releases");
    await page.getByRole("link", { name: /Show end-of-life lines/ }).click();
    await expect(page).toHaveURL(/eol=show/);
    await expect(page.getByRole("row", { name: /^1\.8/ })).toContainText("end of life");
  });

  test("a stakeholder asks whether the version they run is supported", async ({ page, expectStatus }) => {
    expectStatus(/^\/releases$/, 400);
    await page.goto("/releases");
    const box = page.getByRole("form", { name: "Is my version supported?" });
    await box.getByLabel("Version").fill("1.8.0");
    await box.getByRole("button", { name: "Check" }).click();
    await expect(page).toHaveURL(/version=1\.8\.0/);
    const verdict = page.getByRole("status");
    await expect(verdict).toContainText("No: 1.8.0 is not supported");
    await expect(verdict).toContainText("1.8 reached end of life");
    await expect(verdict.getByRole("link", { name: /^1\.\d+$/ })).toBeVisible();

    // A typo gets its message next to the field, with what was typed kept.
    await page.getByRole("form", { name: "Is my version supported?" }).getByLabel("Version").fill("1.x");
    await page.getByRole("button", { name: "Check" }).click();
    const field = page.getByRole("form", { name: "Is my version supported?" }).getByLabel("Version");
    await expect(field).toHaveValue("1.x");
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#support-version-error")).toContainText("is not a version like 1.10.2");
  });
});

test("a line page and a release page, and a 404 in the app's layout", async ({ page, consoleErrors, expectStatus }) => {
  expectStatus(/^\/releases\/9\.99\.0$/, 404);
  await page.goto("/releases");
  await hydrated(page);
  await page.getByRole("link", { name: "1.10", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Release line 1.10");
  await page.getByRole("link", { name: "1.10.0", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("1.10.0");

  const response = await page.goto("/releases/9.99.0");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});

test("pages that only show data load no WebAssembly; a form page hydrates its island", async ({ page, consoleErrors }) => {
  const bundles: string[] = [];
  page.on("request", (r) => { if (/\/pkg\/.*\.(wasm|js)$/.test(r.url())) bundles.push(new URL(r.url()).pathname); });
  for (const path of ["/", "/calendar", "/releases", "/releases/1.10", "/patch-requests", "/train"]) {
    await page.goto(path);
    await hydrated(page);
    expect(await page.locator("leptos-island").count(), path).toBe(0);
  }
  expect(bundles).toEqual([]);

  await page.goto("/patch-requests/new");
  await hydrated(page);
  await expect(page.locator("leptos-island")).toHaveCount(1);
  expect(bundles.some((b) => b.endsWith(".wasm"))).toBe(true);
  // The island answers as you type: proof it is hydrated, not just painted.
  const bugLink = page.getByLabel("Bug link (required)");
  await expect(page.locator("#bug_link-error")).toBeHidden();
  await bugLink.fill("ftp://example.com/1");
  await bugLink.blur();
  await expect(page.locator("#bug_link-error")).toBeVisible();
});
