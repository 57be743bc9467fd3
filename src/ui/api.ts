/** The admin API, with the bearer token the reviewer typed (kept for this tab only). */
const TOKEN_KEY = 'faultline.adminToken';

export const token = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
};

export class ApiFailure extends Error {}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // not JSON: show the text as it came
    }
    throw new ApiFailure(`${response.status}: ${message}`);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

/** Downloads an export with the token (a plain link could not send it). */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await fetch(path, {
    headers: token.get() ? { Authorization: `Bearer ${token.get()}` } : {},
  });
  if (!response.ok) throw new ApiFailure(`${response.status}: download failed`);
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  URL.revokeObjectURL(url);
}
