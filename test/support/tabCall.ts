/**
 * A call to the tab's API as the tab makes it: the caller's Entra token, the Teams language as Accept-Language, JSON in
 * and out. Returns the status and the parsed body.
 */
export async function tabCall(baseUrl: string, token: string, method: string, path: string, body?: unknown, lang = 'de-DE'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'accept-language': lang, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
