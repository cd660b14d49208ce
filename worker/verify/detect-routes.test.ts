import { describe, expect, it } from "vitest";
import { routeForFile } from "@/lib/routes/route-for-file";
import { detectRoutes } from "./detect-routes";

describe("routeForFile", () => {
  it.each([
    ["app/page.tsx", "/"],
    ["src/app/pricing/page.tsx", "/pricing"],
    ["app/(marketing)/about/team/page.jsx", "/about/team"],
    ["pages/index.tsx", "/"],
    ["pages/signup.tsx", "/signup"],
    ["src/pages/pricing.js", "/pricing"],
    ["src/pages/home.js", "/"],
    ["src/routes/contact.svelte", "/contact"],
    // Remix / React Router flat routes.
    ["app/routes/_index.tsx", "/"],
    ["app/routes/about.tsx", "/about"],
    ["app/routes/pricing._index.tsx", "/pricing"],
    ["app/routes/_auth.login.tsx", "/login"],
    ["app/routes/_auth.tsx", null],
    ["app/routes/blog_.post.tsx", "/blog/post"],
    ["app/routes/settings.profile/route.tsx", "/settings/profile"],
    ["app/routes/settings.profile/avatar-form.tsx", null],
    ["app/routes/concerts.$city.tsx", null],
    ["app/routes/page.tsx", "/routes"],
    ["content/docs/page.mdx", null],
    ["app/blog/[slug]/page.tsx", null],
    ["pages/api/users.ts", null],
    ["pages/_app.tsx", null],
    ["src/components/header.tsx", null],
    ["README.md", null],
  ])("%s → %s", (file, route) => {
    expect(routeForFile(file)).toBe(route);
  });
});

describe("detectRoutes", () => {
  it("uses the routes of changed pages, without duplicates", () => {
    expect(detectRoutes(["src/pages/pricing.js", "src/pages/pricing.js", "app/page.tsx", "lib/x.ts"], ["/fallback"])).toEqual(["/pricing", "/"]);
  });

  it("falls back when no changed file maps to a route", () => {
    expect(detectRoutes(["src/components/button.tsx", "locales/en.json"], ["/", "/pricing"])).toEqual(["/", "/pricing"]);
  });
});
