import { describe, expect, it } from "vitest";
import { autoRoutesPages, type RouteFolder } from "./auto-routes";

const folder: RouteFolder = { dir: "app/routes", mount: "/", ignored: ["**/*.test.{ts,tsx}", "**/*.client.*"] };
/** Each file's pages, sorted, with every file rendering a page unless listed in `noDefault`. */
const pagesOf = (files: string[], options: { folder?: RouteFolder; noDefault?: string[] } = {}) =>
  Object.fromEntries(
    [...autoRoutesPages(options.folder ?? folder, files, (file) => !options.noDefault?.includes(file))].map(([file, pages]) => [file, [...pages].sort()]),
  );

describe("autoRoutesPages: react-router-auto-routes' folder convention", () => {
  it.each([
    // Folders are segments, like dots; index is the folder's route; _-prefixed segments are pathless.
    ["app/routes/_marketing/index.tsx", ["/"]],
    ["app/routes/_marketing/about.tsx", ["/about"]],
    ["app/routes/_auth/login.tsx", ["/login"]],
    ["app/routes/settings/profile/index.tsx", ["/settings/profile"]],
    ["app/routes/settings/profile/password_.create.tsx", ["/settings/profile/password/create"]],
    ["app/routes/admin.cache.tsx", ["/admin/cache"]],
    ["app/routes/blog._index.tsx", ["/blog"]],
    ["app/routes/pricing/route.tsx", ["/pricing"]],
    ["app/routes/_seo/robots[.]txt.ts", ["/robots.txt"]],
    ["app/routes/(en)/contact.tsx", ["/contact"]],
    // A "+" only marks colocated modules as a prefix; remix-flat-routes' "blog+/" folders are not special here.
    ["app/routes/blog+/post.tsx", ["/blog+/post"]],
    // Dynamic segments and splats can't be rendered.
    // Dynamic segments are named as patterns: listed, never pictured.
    ["app/routes/users/$username/index.tsx", ["/users/:username"]],
    ["app/routes/$.tsx", ["/*"]],
    // Colocated (+) and server modules, ignored globs and other files are not routes.
    ["app/routes/_marketing/+logos/logos.ts", []],
    ["app/routes/users/+types.ts", []],
    ["app/routes/_auth/login.server.ts", []],
    ["app/routes/theme.client.tsx", []],
    ["app/routes/users/index.test.tsx", []],
    ["app/routes/styles.css", []],
  ])("%s → %j", (file, pages) => {
    expect(pagesOf([file])).toEqual({ [file]: pages });
  });

  it("gives a _layout every route of its folder, and a module without a default export no page", () => {
    const files = [
      "app/routes/settings/_layout.tsx",
      "app/routes/settings/index.tsx",
      "app/routes/settings/billing.tsx",
      "app/routes/settings/two-factor/_layout.tsx",
      "app/routes/settings/two-factor/verify.tsx",
      "app/routes/settings/$id.tsx",
      "app/routes/_auth/_layout.tsx",
      "app/routes/_auth/login.tsx",
      "app/routes/_auth/logout.tsx",
      "app/routes/about.tsx",
      "app/lib/session.ts",
    ];
    expect(pagesOf(files, { noDefault: ["app/routes/_auth/logout.tsx"] })).toEqual({
      "app/routes/settings/_layout.tsx": ["/settings", "/settings/:id", "/settings/billing", "/settings/two-factor/verify"],
      "app/routes/settings/index.tsx": ["/settings"],
      "app/routes/settings/billing.tsx": ["/settings/billing"],
      "app/routes/settings/two-factor/_layout.tsx": ["/settings/two-factor/verify"],
      "app/routes/settings/two-factor/verify.tsx": ["/settings/two-factor/verify"],
      "app/routes/settings/$id.tsx": ["/settings/:id"],
      "app/routes/_auth/_layout.tsx": ["/login"],
      "app/routes/_auth/login.tsx": ["/login"],
      "app/routes/_auth/logout.tsx": [],
      "app/routes/about.tsx": ["/about"],
    });
  });

  it("puts a mounted folder's routes under its path", () => {
    const docs: RouteFolder = { dir: "packages/docs/routes", mount: "/docs", ignored: [] };
    expect(pagesOf(["packages/docs/routes/index.tsx", "packages/docs/routes/intro.tsx"], { folder: docs })).toEqual({
      "packages/docs/routes/index.tsx": ["/docs"],
      "packages/docs/routes/intro.tsx": ["/docs/intro"],
    });
  });
});
