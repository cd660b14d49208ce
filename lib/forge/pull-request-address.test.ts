import { describe, expect, it } from "vitest";
import { pullRequestHeadRef, pullRequestNumberFromUrl } from "./pull-request-address";

describe("a pull request by its address", () => {
  it("reads the number from each forge's own address of a PR of the environment's repository", () => {
    expect(pullRequestNumberFromUrl("github", "https://github.com/acme/web.git", "https://github.com/acme/web/pull/12")).toBe(12);
    expect(
      pullRequestNumberFromUrl("gitlab", "https://gitlab.example.com/group/sub/web.git", "https://gitlab.example.com/group/sub/web/-/merge_requests/7/diffs"),
    ).toBe(7);
    expect(
      pullRequestNumberFromUrl("gitlab", "https://gitlab.example.com/group/sub/web.git", "https://gitlab.example.com/group/sub/web/-/merge_requests/7"),
    ).toBe(7);
    expect(pullRequestNumberFromUrl("gitea", "https://git.example.com/acme/web.git", "https://git.example.com/acme/web/pulls/3#issuecomment-1")).toBe(3);
    // A repository cloned over ssh: its forge's web host is the same host.
    expect(pullRequestNumberFromUrl("github", "git@github.com:acme/web.git", "https://github.com/acme/web/pull/12")).toBe(12);
    expect(
      pullRequestNumberFromUrl("gitlab", "ssh://git@gitlab.example.com:2222/group/web.git", "https://gitlab.example.com/group/web/-/merge_requests/4"),
    ).toBe(4);
  });

  it("refuses another repository, another host, another forge's address and a plain git remote, saying what it expects", () => {
    expect(() => pullRequestNumberFromUrl("github", "https://github.com/acme/web.git", "https://github.com/acme/other/pull/1")).toThrow(
      "(expected https://github.com/acme/web/pull/<number>)",
    );
    expect(() => pullRequestNumberFromUrl("gitea", "https://git.example.com/acme/web.git", "https://evil.example.com/acme/web/pulls/1")).toThrow(
      /is not a pull request/,
    );
    expect(() => pullRequestNumberFromUrl("gitlab", "https://gitlab.com/acme/web.git", "https://gitlab.com/acme/web/pull/1")).toThrow(
      "is not a merge request of this environment's repository on GitLab (expected https://gitlab.com/acme/web/-/merge_requests/<number>)",
    );
    expect(() => pullRequestNumberFromUrl("git", "https://x.example.com/acme/web.git", "https://x.example.com/acme/web/pull/1")).toThrow(
      /GitHub, GitLab or Gitea/,
    );
    expect(() => pullRequestNumberFromUrl(undefined, "https://x.example.com/acme/web.git", "https://x.example.com/acme/web/pull/1")).toThrow(
      /GitHub, GitLab or Gitea/,
    );
  });

  it("knows the ref each forge keeps at a PR's head", () => {
    expect(pullRequestHeadRef("github", 4)).toBe("refs/pull/4/head");
    expect(pullRequestHeadRef("gitea", 4)).toBe("refs/pull/4/head");
    expect(pullRequestHeadRef("gitlab", 4)).toBe("refs/merge-requests/4/head");
  });
});
