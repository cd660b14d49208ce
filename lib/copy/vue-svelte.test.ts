import { describe, expect, it } from "vitest";
import { applyCopyEdits, CopyEditError, type CopyEdit, syntaxErrorCount } from "./apply-edits";
import { buildCatalog } from "./catalog";
import { classifyCopyFile, extractLocatedStrings, extractStrings, type CopyFile, type CopyString } from "./extract-strings";
import { componentShape } from "./extract-vue-svelte";

const vue: CopyFile = {
  path: "src/components/PricingHero.vue",
  content: [
    '<script setup lang="ts">',
    'import { ref } from "vue";',
    'const name = ref("Ada");',
    "const open = ref(true);",
    'const label = "<p>Not copy</p>";',
    "</script>",
    "",
    "<template>",
    '  <main class="pricing">',
    '    <h1 title="Plans &amp; prices">Simple pricing</h1>',
    "    <p>Hello {{ name }}, pick a plan!</p>",
    "    <p>Total:{{ total }}</p>",
    '    <p v-if="open">',
    "      Cancel   any",
    "      time.",
    "    </p>",
    "    <p v-else>Closed &mdash; come back later</p>",
    '    <input placeholder=\'Your email\' :title="label" v-bind:aria-label="label" value="x@y.z" />',
    '    <img alt="Two people at a desk" src="/team.png">',
    '    <MyButton label="Start now" @click="go">Start</MyButton>',
    "    <template #footer><small>Made in Lisbon</small></template>",
    "    <pre>  keep",
    "  as is</pre>",
    '    <p v-html="raw"></p>',
    "    <code v-pre>{{ shown.as.written }}</code>",
    "    <span>·</span>",
    "    <p>Before <!-- a note --> after</p>",
    "  </main>",
    "</template>",
    "",
    "<style scoped>",
    ".pricing { color: red }",
    "</style>",
    "",
    '<i18n lang="json">',
    '{ "en": { "hello": "Not listed" } }',
    "</i18n>",
    "",
  ].join("\n"),
};

const svelte: CopyFile = {
  path: "src/routes/pricing/+page.svelte",
  content: [
    '<script lang="ts" generics="T extends Record<string, unknown>">',
    "  export let name: string;",
    "  let open = true;",
    '  const hint = "Not copy";',
    "</script>",
    "",
    "<svelte:head>",
    "  <title>Pricing | Acme</title>",
    "</svelte:head>",
    "",
    "<h1>Simple pricing</h1>",
    "<p>Hello {name}, pick a plan!</p>",
    "{#if open}",
    "  <p>Cancel any time.</p>",
    "{:else}",
    "  <p>Closed &mdash; come back later</p>",
    "{/if}",
    '<img alt="Two people at a desk" src="/team.png" />',
    "<img alt={hint} />",
    "<input placeholder=\"Email for {name}\" title='Your email' />",
    '<Button label="Start now" on:click={() => (open = !open)}>Start</Button>',
    "{#each [1, 2] as n}<span>Seat {n}</span>{/each}",
    "",
    '<style lang="scss">',
    "$red: #f00;",
    "h1 { color: $red; &:hover { color: darken($red, 10%); } }",
    "</style>",
    "",
  ].join("\n"),
};

const listed = (file: CopyFile) =>
  extractLocatedStrings([file]).map((copy) => [copy.kind, copy.text, copy.key ?? null, file.content.slice(copy.start, copy.end), copy.syntax.type]);

function find(file: CopyFile, predicate: (copy: CopyString) => boolean): CopyString {
  const found = extractStrings([file]).find(predicate);
  if (!found) throw new Error(`no string in ${file.path}`);
  return found;
}

/** Applies the edits, checks each text reads back as written and the file parses as before; returns the file. */
function edited(file: CopyFile, edits: CopyEdit[]): string {
  const [after] = applyCopyEdits([file], edits).files;
  if (!after) throw new Error("no file");
  const reread = new Map(extractStrings([after]).map((copy) => [copy.id, copy.text]));
  // A line break in text renders as a space, and is written as one.
  for (const edit of edits) expect(reread.get(edit.id)).toBe(edit.text.replace(/[ \t]*\n[ \t\n]*/g, " "));
  const type = classifyCopyFile(file.path);
  if (type !== "vue" && type !== "svelte") throw new Error("not a component");
  expect(syntaxErrorCount(after)).toBe(syntaxErrorCount(file));
  expect(componentShape(after, type)).toBe(componentShape(file, type));
  return after.content;
}

function problemsOf(files: CopyFile[], edits: CopyEdit[]): { id: string; message: string }[] {
  try {
    applyCopyEdits(files, edits);
  } catch (error) {
    expect(error).toBeInstanceOf(CopyEditError);
    return (error as CopyEditError).problems.map(({ id, message }) => ({ id, message }));
  }
  throw new Error("expected CopyEditError");
}

describe("Vue and Svelte files are copy files", () => {
  it("classifies .vue and .svelte, not generated or vendored ones", () => {
    expect(classifyCopyFile("src/components/PricingHero.vue")).toBe("vue");
    expect(classifyCopyFile("src/routes/+page.svelte")).toBe("svelte");
    expect(classifyCopyFile("node_modules/ui/Button.vue")).toBeUndefined();
    expect(classifyCopyFile("dist/Button.svelte")).toBeUndefined();
  });
});

describe("Vue single-file components", () => {
  it("lists template text and static copy attributes with exact offsets; not interpolations, bindings, script, style or <i18n>", () => {
    expect(listed(vue)).toEqual([
      ["jsx-attribute", "Plans & prices", "title", '"Plans &amp; prices"', "vue-template-attribute"],
      ["jsx-text", "Simple pricing", null, "Simple pricing", "vue-template-text"],
      ["jsx-text", "Hello", null, "Hello", "vue-template-text"],
      ["jsx-text", ", pick a plan!", null, ", pick a plan!", "vue-template-text"],
      ["jsx-text", "Total:", null, "Total:", "vue-template-text"],
      ["jsx-text", "Cancel any time.", null, "Cancel   any\n      time.", "vue-template-text"],
      ["jsx-text", "Closed — come back later", null, "Closed &mdash; come back later", "vue-template-text"],
      ["jsx-attribute", "Your email", "placeholder", "'Your email'", "vue-template-attribute"],
      ["jsx-attribute", "Two people at a desk", "alt", '"Two people at a desk"', "vue-template-attribute"],
      ["jsx-attribute", "Start now", "label", '"Start now"', "vue-template-attribute"],
      ["jsx-text", "Start", null, "Start", "vue-template-text"],
      ["jsx-text", "Made in Lisbon", null, "Made in Lisbon", "vue-template-text"],
      ["jsx-text", "Before", null, "Before", "vue-template-text"],
      ["jsx-text", "after", null, "after", "vue-template-text"],
    ]);
    const strings = extractStrings([vue]);
    expect(strings.every((copy) => copy.context.component === "PricingHero")).toBe(true);
    expect(strings.find((copy) => copy.text === "Simple pricing")?.line).toBe(10);
  });

  it("keeps every id when texts change", () => {
    const changed = { ...vue, content: vue.content.replace("Simple pricing", "Fair pricing").replace("Your email", "Work email") };
    expect(extractStrings([changed]).map((copy) => copy.id)).toEqual(extractStrings([vue]).map((copy) => copy.id));
  });

  it("writes <, {{, & and quotes so they render as typed and the template keeps its markup", () => {
    const heading = find(vue, (copy) => copy.text === "Simple pricing");
    const total = find(vue, (copy) => copy.text === "Total:");
    const title = find(vue, (copy) => copy.key === "title");
    const placeholder = find(vue, (copy) => copy.key === "placeholder");
    const content = edited(vue, [
      { id: heading.id, text: 'Pay <less> & {{ more }} "now" &copy;' },
      // Right before {{ total }}: a last `{` would make `{{{`.
      { id: total.id, text: "Sum {" },
      { id: title.id, text: 'Plans & "prices"' },
      { id: placeholder.id, text: `Ada's "work" email` },
    ]);
    expect(content).toContain('<h1 title="Plans & &quot;prices&quot;">Pay &lt;less> & &#123;{ more }} "now" &amp;copy;</h1>');
    expect(content).toContain("<p>Sum &#123;{{ total }}</p>");
    expect(content).toContain(`placeholder='Ada&#39;s "work" email'`);
  });

  it("collapses line breaks in text to spaces, as the page shows them", () => {
    const cancel = find(vue, (copy) => copy.text === "Cancel any time.");
    expect(edited(vue, [{ id: cancel.id, text: "Cancel\nwhenever\u00a0you like." }])).toContain(
      '<p v-if="open">\n      Cancel whenever&nbsp;you like.\n    </p>',
    );
  });
});

describe("Svelte components", () => {
  it("lists markup text (svelte:head's title, every branch) and static copy attributes; not {expressions} or attributes that hold one", () => {
    expect(listed(svelte)).toEqual([
      ["jsx-text", "Pricing | Acme", null, "Pricing | Acme", "svelte-template-text"],
      ["jsx-text", "Simple pricing", null, "Simple pricing", "svelte-template-text"],
      ["jsx-text", "Hello", null, "Hello", "svelte-template-text"],
      ["jsx-text", ", pick a plan!", null, ", pick a plan!", "svelte-template-text"],
      ["jsx-text", "Cancel any time.", null, "Cancel any time.", "svelte-template-text"],
      ["jsx-text", "Closed — come back later", null, "Closed &mdash; come back later", "svelte-template-text"],
      ["jsx-attribute", "Two people at a desk", "alt", '"Two people at a desk"', "svelte-template-attribute"],
      ["jsx-attribute", "Your email", "title", "'Your email'", "svelte-template-attribute"],
      ["jsx-attribute", "Start now", "label", '"Start now"', "svelte-template-attribute"],
      ["jsx-text", "Start", null, "Start", "svelte-template-text"],
      ["jsx-text", "Seat", null, "Seat", "svelte-template-text"],
    ]);
    expect(extractStrings([svelte]).every((copy) => copy.context.component === "pricing/+page")).toBe(true);
  });

  it("keeps every id when texts change", () => {
    const changed = { ...svelte, content: svelte.content.replace("Cancel any time.", "Leave whenever.").replace("Two people", "Three people") };
    expect(extractStrings([changed]).map((copy) => copy.id)).toEqual(extractStrings([svelte]).map((copy) => copy.id));
  });

  it("writes <, braces, & and quotes so they render as typed and the markup stays the same", () => {
    const heading = find(svelte, (copy) => copy.text === "Simple pricing");
    const hello = find(svelte, (copy) => copy.text === "Hello");
    const alt = find(svelte, (copy) => copy.key === "alt");
    const title = find(svelte, (copy) => copy.key === "title");
    const content = edited(svelte, [
      { id: heading.id, text: 'Pay <less> & {more} {{ twice }} "now" &amp;' },
      { id: hello.id, text: "Hi }{" },
      { id: alt.id, text: 'A "big" {team}' },
      { id: title.id, text: "Ada's email" },
    ]);
    expect(content).toContain('<h1>Pay &lt;less> & &#123;more&#125; &#123;&#123; twice &#125;&#125; "now" &amp;amp;</h1>');
    expect(content).toContain("<p>Hi &#125;&#123; {name}, pick a plan!</p>");
    expect(content).toContain('<img alt="A &quot;big&quot; &#123;team&#125;" src="/team.png" />');
    expect(content).toContain("title='Ada&#39;s email'");
  });
});

describe("Vue and Svelte: any text round-trips", () => {
  const awkward = [
    "</p><p>",
    "{{ total }}",
    "}} then {{",
    "ends with {",
    "} starts with",
    "{#if x}{/if}",
    `"double" and 'single'`,
    "&amp; &copy &#123; & alone",
    "<!-- not a comment -->",
    "${x} `tick` \\ back",
    "v-if @click :title",
    "שלום 👋🏽 non\u00a0breaking",
  ];
  for (const file of [vue, svelte]) {
    it(`writes every entry of ${file.path} so it reads back as typed`, () => {
      for (const copy of extractStrings([file])) for (const text of awkward) edited(file, [{ id: copy.id, text }]);
    });
  }
});

describe("Vue and Svelte: checks and refusals", () => {
  it("counts parse errors with the framework's own parser", () => {
    expect(syntaxErrorCount(vue)).toBe(0);
    expect(syntaxErrorCount(svelte)).toBe(0);
    expect(syntaxErrorCount({ ...vue, content: vue.content.replace("</h1>", "</h2>") })).toBeGreaterThan(0);
    expect(syntaxErrorCount({ ...vue, content: vue.content.replace("{{ total }}", "{{ total") })).toBeGreaterThan(0);
    expect(syntaxErrorCount({ ...svelte, content: svelte.content.replace("</h1>", "</h2>") })).toBe(1);
  });

  it("sees markup written into text as a change of the component's shape", () => {
    for (const [file, type] of [
      [vue, "vue"],
      [svelte, "svelte"],
    ] as const) {
      const shape = componentShape(file, type);
      expect(componentShape({ ...file, content: file.content.replace("Simple pricing", "Simple &amp; fair") }, type)).toBe(shape);
      expect(componentShape({ ...file, content: file.content.replace("Simple pricing", "Simple <b>fair</b>") }, type)).not.toBe(shape);
      expect(componentShape({ ...file, content: file.content.replace('alt="Two people', 'alt="Two" people') }, type)).not.toBe(shape);
    }
  });

  it("does not list a Svelte component that does not parse, so nothing in it can be edited", () => {
    expect(extractStrings([{ path: "src/Broken.svelte", content: "<p>Hello</div>" }])).toEqual([]);
  });

  it("refuses empty text and text changed since it was opened, changing nothing", () => {
    const heading = find(vue, (copy) => copy.text === "Simple pricing");
    const alt = find(svelte, (copy) => copy.key === "alt");
    expect(
      problemsOf(
        [vue, svelte],
        [
          { id: heading.id, text: " " },
          { id: alt.id, from: "Three people at a desk", text: "A team" },
        ],
      ),
    ).toEqual([
      { id: heading.id, message: "Text is required here" },
      { id: alt.id, message: 'This text was changed to "Two people at a desk" since you opened it' },
    ]);
  });
});

describe("Vue and Svelte pages", () => {
  const file = (path: string, content: string): CopyFile => ({ path, content });
  const catalog = buildCatalog([
    file("pages/pricing.vue", "<template><h1>Nuxt pricing</h1></template>\n"),
    file("layouts/default.vue", "<template><footer>Nuxt footer</footer><slot /></template>\n"),
    file("src/routes/(marketing)/about/+page.svelte", "<h1>Kit about</h1>\n"),
    file("src/routes/+layout.svelte", "<nav>Kit menu</nav>\n<slot />\n"),
    file(
      "src/router/index.ts",
      [
        'import { createRouter, createWebHistory } from "vue-router";',
        'import HomeView from "../views/HomeView.vue";',
        "export default createRouter({",
        "  history: createWebHistory(),",
        '  routes: [{ path: "/", component: HomeView }, { path: "/team", component: () => import("../views/TeamView.vue") }],',
        "});",
      ].join("\n"),
    ),
    file(
      "src/views/HomeView.vue",
      '<script setup>\nimport Card from "../components/Card.vue";\n</script>\n<template><h1>Welcome home</h1><Card /></template>\n',
    ),
    file("src/views/TeamView.vue", "<template><h1>Our team</h1></template>\n"),
    file("src/components/Card.vue", "<template><p>A card</p></template>\n"),
  ]);
  const pagesOf = (text: string) => catalog.find((entry) => entry.text === text)?.pages;

  it("places Nuxt pages and layouts and SvelteKit +page/+layout files by their paths", () => {
    expect(pagesOf("Nuxt pricing")).toEqual(["/pricing"]);
    expect(pagesOf("Nuxt footer")).toEqual(["*"]);
    expect(pagesOf("Kit about")).toEqual(["/about"]);
    expect(pagesOf("Kit menu")).toEqual(["*"]);
  });

  it("places components a script's route table imports, but does not follow imports inside a component", () => {
    expect(pagesOf("Welcome home")).toEqual(["/"]);
    expect(pagesOf("Our team")).toEqual(["/team"]);
    expect(pagesOf("A card")).toEqual([]);
  });
});
