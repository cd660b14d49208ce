import { describe, expect, it } from "vitest";
import { isLayoutFile, layoutScope, pagePatternForFile, routeForFile } from "./route-for-file";

describe("routeForFile: SvelteKit and Nuxt", () => {
  it.each([
    // SvelteKit: the +page files of a folder are its page; groups add no segment.
    ["src/routes/+page.svelte", "/"],
    ["src/routes/about/+page.svelte", "/about"],
    ["src/routes/(marketing)/pricing/+page.svelte", "/pricing"],
    ["src/routes/about/+page@.svelte", "/about"],
    ["src/routes/about/+page.server.ts", "/about"],
    ["src/routes/blog/[slug]/+page.svelte", null],
    ["src/routes/+layout.svelte", null],
    ["src/routes/+error.svelte", null],
    ["src/routes/api/health/+server.ts", null],
    // Nuxt 3 pages/ and Nuxt 4 app/pages/.
    ["pages/index.vue", "/"],
    ["pages/pricing.vue", "/pricing"],
    ["pages/docs/index.vue", "/docs"],
    ["pages/(marketing)/about.vue", "/about"],
    ["pages/users/[id].vue", null],
    ["pages/[...slug].vue", null],
    ["app/pages/index.vue", "/"],
    ["app/pages/team/index.vue", "/team"],
    // A Next.js app router file under app/pages is not a Nuxt page.
    ["app/pages/hero.tsx", null],
    // Only a file named page is the app router's page, not one whose name ends in "page".
    ["app/components/editor/editor-fields-page.tsx", null],
    ["app/settings/page.tsx", "/settings"],
    ["app/page.tsx", "/"],
    ["components/PricingCard.vue", null],
  ])("%s → %s", (file, route) => {
    expect(routeForFile(file)).toBe(route);
  });

  it("takes SvelteKit and Nuxt layouts and a Vite app's root component as layouts", () => {
    for (const file of [
      "src/routes/+layout.svelte",
      "src/routes/(app)/dashboard/+layout.svelte",
      "layouts/default.vue",
      "app/layouts/admin.vue",
      "app.vue",
      "app/app.vue",
      "src/App.vue",
      "src/App.svelte",
    ]) {
      expect(isLayoutFile(file), file).toBe(true);
    }
    for (const file of ["src/routes/+page.svelte", "components/AppHeader.vue", "src/lib/layouts/grid.ts"]) expect(isLayoutFile(file), file).toBe(false);
  });
});

describe("routes of apps in monorepos and with locale segments", () => {
  it.each([
    ["apps/web/src/app/pricing/page.tsx", "/pricing"],
    ["apps/web/app/page.tsx", "/"],
    ["packages/site/pages/about.tsx", "/about"],
    // next-intl and i18next apps put every page under the language.
    ["src/app/[locale]/pricing/page.tsx", "/pricing"],
    ["apps/web/src/app/[locale]/(marketing)/page.tsx", "/"],
    ["app/[[lang]]/docs/page.tsx", "/docs"],
    ["app/[locale]/posts/[id]/page.tsx", null],
    ["apps/web/components/pricing/page.tsx", null],
  ])("%s → %s", (file, route) => {
    expect(routeForFile(file)).toBe(route);
  });

  it("takes a monorepo app's layouts as layouts", () => {
    expect(isLayoutFile("apps/web/src/app/[locale]/layout.tsx")).toBe(true);
    expect(isLayoutFile("apps/web/src/components/layout.tsx")).toBe(false);
  });
});

describe("remix-flat-routes hybrid folders", () => {
  it.each([
    ["app/routes/_auth+/login.tsx", "/login"],
    ["app/routes/_marketing+/_index.tsx", "/"],
    ["app/routes/settings+/profile.tsx", "/settings/profile"],
    ["app/routes/settings+/profile/route.tsx", "/settings/profile"],
    ["app/routes/settings+/_layout.tsx", null],
    ["app/routes/users+/$username.tsx", null],
    ["app/routes/settings/profile.tsx", null],
  ])("%s → %s", (file, route) => {
    expect(routeForFile(file)).toBe(route);
  });
});

describe("pagePatternForFile: dynamic routes as patterns", () => {
  it.each([
    ["app/blog/[slug]/page.tsx", "/blog/:slug"],
    ["app/[locale]/docs/[...path]/page.tsx", "/docs/*"],
    ["src/app/sign-in/[[...sign-in]]/page.tsx", "/sign-in/*"],
    ["apps/web/src/app/poll/[urlId]/page.tsx", "/poll/:urlId"],
    ["app/routes/users.$username.tsx", "/users/:username"],
    ["app/routes/$.tsx", "/*"],
    ["pages/posts/[id].vue", "/posts/:id"],
    ["src/routes/blog/[slug]/+page.svelte", "/blog/:slug"],
    ["app/pricing/page.tsx", "/pricing"],
    // Text and brackets in one segment (SvelteKit's [x].json) is not a pattern we write.
    ["src/routes/feed/[x].json/+page.svelte", null],
    ["components/button.tsx", null],
  ])("%s → %s", (file, pattern) => {
    expect(pagePatternForFile(file)).toBe(pattern);
    // Screenshots need a route they can open: only the static ones.
    if (pattern?.includes(":") || pattern?.includes("*")) expect(routeForFile(file)).toBeNull();
  });

  it("scopes a nested layout to its folder and a root layout to every page", () => {
    expect(layoutScope("app/(dashboard)/dashboard/layout.tsx")).toBe("app/(dashboard)/dashboard/");
    expect(layoutScope("apps/web/src/app/settings/layout.tsx")).toBe("apps/web/src/app/settings/");
    expect(layoutScope("src/routes/settings/+layout.svelte")).toBe("src/routes/settings/");
    expect(layoutScope("app/layout.tsx")).toBeUndefined();
    expect(layoutScope("src/routes/+layout.svelte")).toBeUndefined();
    expect(layoutScope("app/root.tsx")).toBeUndefined();
    // Next.js's loading and error states of a folder appear on its pages too.
    expect(layoutScope("app/(dashboard)/dashboard/loading.tsx")).toBe("app/(dashboard)/dashboard/");
    expect(isLayoutFile("app/editor/[postId]/not-found.tsx")).toBe(true);
    expect(layoutScope("app/error.tsx")).toBeUndefined();
  });
});
