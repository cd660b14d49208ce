// The preview-app fixture, proven where it will run: in the real sandbox image (Node 20, uid 1000,
// read-only root, no network off an internal bridge), reached from the host by HTTP and by Chromium.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { PassThrough } from "node:stream";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPreviewAppRepo, PREVIEW_APP_CONFIG, PREVIEW_APP_VENDOR_PATH } from "./preview-app-repo";
import { docker, TEST_SANDBOX_IMAGE } from "./test-worker";
import { waitFor } from "./wait-for";

const name = `patchbay-preview-app-test-${randomBytes(5).toString("hex")}`;
let repoDir = "";
let container: ReturnType<typeof docker.getContainer>;
let baseUrl = "";
let browser: Browser | undefined;

async function run(argv: string[]): Promise<{ exitCode: number | null; out: string; err: string }> {
  const exec = await container.exec({ Cmd: argv, User: "1000:1000", WorkingDir: "/workspace", AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (chunks: Buffer[]) => new PassThrough().on("data", (chunk: Buffer) => chunks.push(chunk));
  docker.modem.demuxStream(stream, sink(out), sink(err));
  await new Promise((resolve, reject) => stream.on("end", resolve).on("error", reject));
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode, out: Buffer.concat(out).toString("utf8"), err: Buffer.concat(err).toString("utf8") };
}

async function get(path: string) {
  const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
}

beforeAll(async () => {
  const repo = createPreviewAppRepo();
  repoDir = repo.dir;
  await docker.createNetwork({ Name: name, Driver: "bridge", Internal: true, CheckDuplicate: true });
  await docker.createVolume({ Name: name });
  container = await docker.createContainer({
    name,
    Image: TEST_SANDBOX_IMAGE,
    User: "1000:1000",
    WorkingDir: "/workspace",
    Entrypoint: ["sleep"],
    Cmd: ["infinity"],
    Env: ["HOME=/home/agent", "LANG=C.UTF-8", `PORT=${PREVIEW_APP_CONFIG.port}`],
    HostConfig: {
      ReadonlyRootfs: true,
      Init: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Tmpfs: { "/tmp": "rw,exec,nosuid,nodev,size=64m", "/home/agent": "rw,nosuid,nodev,size=16m,uid=1000,gid=1000,mode=0700" },
      Mounts: [{ Type: "volume", Source: name, Target: "/workspace" }],
      NetworkMode: name,
      Memory: 512 * 1024 ** 2,
      PidsLimit: 256,
    },
  });
  await container.start();
  // The whole repository, .git included, owned by the sandbox user, as a clone in /workspace would be.
  const tar = execFileSync("tar", ["-c", "-C", repoDir, "--owner=1000", "--group=1000", "--numeric-owner", "."], { maxBuffer: 64 * 1024 ** 2 });
  await container.putArchive(tar, { path: "/workspace" });
  const info = await container.inspect();
  const ip = info.NetworkSettings.Networks[name]?.IPAddress;
  if (!ip) throw new Error(`container has no address on ${name}`);
  baseUrl = `http://${ip}:${PREVIEW_APP_CONFIG.port}`;
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => undefined);
  await docker
    .getVolume(name)
    .remove({ force: true })
    .catch(() => undefined);
  await docker
    .getNetwork(name)
    .remove()
    .catch(() => undefined);
  if (repoDir) rmSync(repoDir, { recursive: true, force: true });
});

describe("preview app fixture in the sandbox image", () => {
  it("is a committed git repository with the vendored Preact + htm module", () => {
    const files = execFileSync("git", ["ls-files"], { cwd: repoDir, encoding: "utf8" }).split("\n");
    expect(files).toEqual(
      expect.arrayContaining([
        "server.js",
        "scripts/check.js",
        "src/pages/pricing.js",
        "locales/en.json",
        "content/about.md",
        "public/vendor/standalone.module.js",
      ]),
    );
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: repoDir, encoding: "utf8" })).toBe("");
  });

  it("passes its install/build command on the sandbox's default Node.js (20)", async () => {
    const node = await run(["node", "--version"]);
    expect(node.out).toMatch(/^v20\./);
    const check = await run(["bash", "-c", PREVIEW_APP_CONFIG.installCommand]);
    expect(check.err).toBe("");
    expect(check.exitCode).toBe(0);
    expect(check.out).toMatch(/^check: ok/);
  });

  it("fails the check, naming the file, when a source file or a locale has a syntax error", async () => {
    const broken = await run([
      "bash",
      "-c",
      "cp -r /workspace /tmp/broken && cd /tmp/broken && printf 'export const = ;\\n' >> src/pages/pricing.js && printf '{' >> locales/en.json && node scripts/check.js",
    ]);
    expect(broken.exitCode).toBe(1);
    expect(broken.err).toContain("src/pages/pricing.js");
    expect(broken.err).toContain("SyntaxError");
    expect(broken.err).toContain("locales/en.json");
    expect(broken.err).not.toContain("src/pages/home.js");
  });

  it("serves its routes over the internal network once started in the background", async () => {
    const start = await container.exec({
      Cmd: ["bash", "-c", `exec ${PREVIEW_APP_CONFIG.startCommand} >/tmp/server.log 2>&1`],
      User: "1000:1000",
      WorkingDir: "/workspace",
    });
    await start.start({ Detach: true });
    const health = await waitFor(`${baseUrl}${PREVIEW_APP_CONFIG.readinessPath}`, () => get(PREVIEW_APP_CONFIG.readinessPath).catch(() => null), 20_000, 200);
    expect(health).toMatchObject({ status: 200, body: "ok\n" });

    for (const route of PREVIEW_APP_CONFIG.routes) {
      const page = await get(route);
      expect(page.status, route).toBe(200);
      expect(page.type, route).toMatch(/^text\/html/);
      expect(page.body, route).toContain('<div id="app">');
    }
    expect((await get("/broken")).status).toBe(500);
    expect((await get("/no-such-page")).status).toBe(404);
    expect((await get("/src/../server.js")).status).toBe(404);
    const vendor = await get(PREVIEW_APP_VENDOR_PATH);
    expect(vendor.status).toBe(200);
    expect(vendor.type).toMatch(/^text\/javascript/);
    expect(vendor.body).toContain("export{");
    expect((await get("/src/pages/pricing.js")).type).toMatch(/^text\/javascript/);
    expect(JSON.parse((await get("/locales/en.json")).body)).toHaveProperty("pricing.title");

    const log = await run(["cat", "/tmp/server.log"]);
    expect(log.out).toContain(`listening on http://0.0.0.0:${PREVIEW_APP_CONFIG.port}`);
    expect(log.out).toMatch(/^GET \/broken 500 /m);
  });

  it("renders the Preact app in headless Chromium, identically twice", async () => {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("request", (request) => {
      if (!request.url().startsWith(`${baseUrl}/`)) foreign.push(request.url());
    });

    await page.goto(`${baseUrl}/pricing`, { waitUntil: "networkidle" });
    await page.getByRole("heading", { level: 1 }).waitFor();
    const text = await page.locator("body").textContent();
    expect(text).toContain("Simple, honest pricing");
    expect(text).toContain("Sign up");
    expect(text).toContain("1 project");
    expect(text).toContain("10 projects");
    expect(await page.title()).toBe("Pricing · Paperkite");
    const first = await page.screenshot({ fullPage: true });
    await page.reload({ waitUntil: "networkidle" });
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect((await page.screenshot({ fullPage: true })).equals(first)).toBe(true);

    await page.goto(`${baseUrl}/contact`, { waitUntil: "networkidle" });
    await page.getByLabel("Your name").fill("Grace");
    await page.getByLabel("Work email").fill("grace@example.com");
    await page.getByLabel("Message").fill("Hello");
    await page.getByRole("button", { name: "Send message" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toContain("Thanks, Grace!");

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
