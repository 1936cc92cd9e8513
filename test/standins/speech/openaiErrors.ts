/** Error bodies in the shape OpenAI's API answers with: `{ error: { message, type, param, code } }`. */

/** The JSON body of an OpenAI error response. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Builds an error body. */
export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** 400 body for a bad request field; `param` names the field. */
export function invalidRequest(message: string, param: string | null = null): OpenAiErrorBody {
  return errorBody(message, 'invalid_request_error', param);
}

/** 401 body when no `Authorization: Bearer` header came (OpenAI uses code null here). */
export function missingApiKey(): OpenAiErrorBody {
  return errorBody(
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    'invalid_request_error',
  );
}

/** 401 body for a wrong key; the key is masked like OpenAI does (first 3 and last 4 characters kept). */
export function invalidApiKey(givenKey: string): OpenAiErrorBody {
  return errorBody(
    `Incorrect API key provided: ${maskKey(givenKey)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    null,
    'invalid_api_key',
  );
}

/** 429 body for a rate limit. */
export function rateLimited(model: string, retryAfterSeconds: number | undefined, message?: string): OpenAiErrorBody {
  const wait = retryAfterSeconds === undefined ? '' : ` Please try again in ${retryAfterSeconds}s.`;
  return errorBody(
    message ??
      `Rate limit reached for ${model} in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1.${wait} Visit https://platform.openai.com/account/rate-limits to learn more.`,
    'requests',
    null,
    'rate_limit_exceeded',
  );
}

/** 5xx body (OpenAI's generic server-side texts). */
export function serverError(status: number, message?: string): OpenAiErrorBody {
  const text =
    message ??
    (status === 503
      ? 'The engine is currently overloaded, please try again later'
      : status === 502
        ? 'Bad gateway.'
        : 'The server had an error while processing your request. Sorry about that!');
  return errorBody(text, 'server_error');
}

/** Masks a key the way OpenAI echoes it: `sk-***…***wxyz`; short keys are fully starred. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}
