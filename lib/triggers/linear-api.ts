// The few Linear API calls the Linear trigger needs, over @linear/sdk's LinearClient: who the API key belongs
// to (the web checks a pasted key with it), an issue's text, a user's email, and a comment on an issue (the
// worker). Every failure becomes an AppError a person can act on; the SDK's error (with its HTTP `status`)
// stays reachable as `error.cause`. No retries here: the queue retries what is retryable.
import { LinearClient, LinearError, LinearErrorType } from "@linear/sdk";
import { AppError } from "@/lib/errors";

export type LinearApiOptions = { apiKey: string; apiUrl?: string };

export type LinearViewer = { id: string; name: string; displayName: string };

export type LinearIssue = { id: string; identifier: string; title: string; description: string; url: string };

function linearClient(options: LinearApiOptions): LinearClient {
  return new LinearClient({ apiKey: options.apiKey, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
}

/** The Linear user the API key belongs to: the one people assign issues to or mention to reach Patchbay. */
export async function linearViewer(options: LinearApiOptions): Promise<LinearViewer> {
  const viewer = await callLinear("read the API key's user", () => linearClient(options).viewer);
  return { id: viewer.id, name: viewer.name, displayName: viewer.displayName };
}

/** An issue's text; `issueId` may be the issue's id or its identifier (ENG-123). */
export async function linearIssue(options: LinearApiOptions, issueId: string): Promise<LinearIssue> {
  const issue = await callLinear(`read issue ${issueId}`, () => linearClient(options).issue(issueId));
  return { id: issue.id, identifier: issue.identifier, title: issue.title, description: issue.description ?? "", url: issue.url };
}

/** A user's email, or null when Linear does not show it (e.g. to an app without the scope). */
export async function linearUserEmail(options: LinearApiOptions, userId: string): Promise<string | null> {
  const user = await callLinear(`read user ${userId}`, () => linearClient(options).user(userId));
  return user.email ? user.email : null;
}

/** Posts a markdown comment on an issue, as the API key's user. */
export async function commentOnLinearIssue(options: LinearApiOptions, issueId: string, markdownBody: string): Promise<{ url: string | null }> {
  const client = linearClient(options);
  const payload = await callLinear(`comment on issue ${issueId}`, () => client.createComment({ issueId, body: markdownBody }));
  if (!payload.success || !payload.commentId) {
    throw new AppError("internal", `Linear did not confirm the comment on issue ${issueId}; check the issue in Linear before trying again.`);
  }
  // The link is a nicety for the task page: a comment that was made but whose link cannot be read still counts.
  const comment = await payload.comment?.catch(() => undefined);
  return { url: comment?.url ?? null };
}

async function callLinear<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw linearFailure(doing, error);
  }
}

/** Turns what the SDK throws into an AppError that says what to do about it. */
export function linearFailure(doing: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const linear = error instanceof LinearError ? error : undefined;
  const status = linear?.status;
  // The SDK puts Linear's userPresentableMessage (when there is one) in each GraphQL error's message.
  const detail = linear?.errors?.[0]?.message;
  const said = detail ? ` (Linear said: ${detail})` : "";
  const options = { cause: error };

  switch (linear?.type) {
    case LinearErrorType.AuthenticationError:
      // The SDK also files any 4xx without a GraphQL error under this type: only call it a bad key when Linear said so.
      if (linear.errors?.length || status === 401) {
        return new AppError("unauthorized", `Linear refused the API key while trying to ${doing}${said}: paste a valid key in the Linear settings.`, options);
      }
      break;
    case LinearErrorType.Forbidden:
      return new AppError(
        "forbidden",
        `Linear does not let the API key's user ${doing}${said}: give that user access to the team, or use another key.`,
        options,
      );
    case LinearErrorType.Ratelimited:
      return new AppError("rate_limited", `Linear is rate-limiting the API key while trying to ${doing}; it will be tried again later.`, {
        ...options,
        retryable: true,
      });
    case LinearErrorType.InvalidInput:
      if (detail && /not found|could not find/i.test(detail)) {
        return new AppError("not_found", `Linear could not find what was needed to ${doing}${said}: it may have been deleted or moved.`, options);
      }
      return new AppError("bad_request", `Linear rejected the request to ${doing}${said}.`, options);
    default:
      break;
  }
  if (status === undefined || status >= 500 || linear?.type === LinearErrorType.NetworkError || linear?.type === LinearErrorType.InternalError) {
    const how = status === undefined ? "could not be reached" : `answered HTTP ${status}`;
    return new AppError("internal", `Linear ${how} while trying to ${doing}; it will be tried again later.`, { ...options, retryable: true });
  }
  return new AppError("bad_request", `Linear answered HTTP ${status} while trying to ${doing}${said}.`, options);
}
