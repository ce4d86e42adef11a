import { createApiClient, describeErrorAnswer } from './ApiClient.js';

/**
 * GET for a command that shows what it read: an error answer is printed (exit 1), `--json` prints the answer
 * as the API gave it (exit 0); otherwise the caller gets the JSON to render.
 */
export async function readForDisplay(
  request: { url: string; path: string; json: boolean },
  env: NodeJS.ProcessEnv,
): Promise<{ exit: number } | { json: unknown }> {
  const answer = await createApiClient(request.url, env).get(request.path);
  if (!answer.ok) {
    console.error(describeErrorAnswer(answer));
    return { exit: 1 };
  }
  if (request.json) {
    console.log(JSON.stringify(answer.json, null, 2));
    return { exit: 0 };
  }
  return { json: answer.json };
}
