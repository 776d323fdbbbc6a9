/** A response's body as JSON, or `{ text }` when it is not JSON (an HTML error page, a proxy's message): specs can then assert on either. */
export async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}
