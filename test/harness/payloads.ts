/** Every payload's size in a history (or any part of one), in bytes of its data: the soak, the scale bench and the bounded-state test read their largest payload from it. */
export function payloadSizes(value: unknown, sizes: number[] = []): number[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return sizes;
  const record = value as Record<string, unknown>;
  const data = record['data'];
  if (data instanceof Uint8Array && 'metadata' in record) {
    sizes.push(data.length);
    return sizes;
  }
  for (const inner of Object.values(record)) payloadSizes(inner, sizes);
  return sizes;
}
