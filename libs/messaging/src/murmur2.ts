/**
 * Kafka's key hash (murmur2, as in the Java client's `Utils.murmur2`, and kafkajs'
 * `Partitioners.DefaultPartitioner`). The in-process bus uses it so a key lands on the same
 * partition number in both adapters for the same partition count.
 */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= data[tail + 2] << 16;
    // falls through
    case 2:
      h ^= data[tail + 1] << 8;
    // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's default key → partition mapping: `toPositive(murmur2(key)) % numPartitions`. */
export function partitionForKey(key: string, numPartitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % numPartitions;
}
