/**
 * Reads a response body, counting bytes as they arrive, so a body that keeps coming (or a gzip
 * bomb, once content-decoded) stops at the cap: answers "too-large" after cancelling the stream.
 * Read errors are thrown as they come; callers map them to their own error kinds.
 */
export async function readBodyCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | "too-large"> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return "too-large";
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
