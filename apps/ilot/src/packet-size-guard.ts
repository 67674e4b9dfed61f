/**
 * Reads the MQTT fixed headers of a connection's byte stream (packet type byte, then the Remaining Length: 1 to 4 bytes
 * of 7 bits) and says when a packet announces more than `maxPacketBytes`, before its body arrives: the broker closes
 * the connection then, so a 40 MB CONNECT costs at most one read's buffer (issue 26). Pure: bytes in, verdict out.
 */
export class PacketSizeGuard {
  /** Bytes of the current packet's body still to skip. */
  private skip = 0;
  /** The fixed header read so far (type byte and Remaining Length bytes). */
  private header: number[] = [];

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the next bytes; returns the size a packet announced when it is above the limit, else undefined. */
  feed(chunk: Uint8Array): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.length - i);
        this.skip -= step;
        i += step;
        continue;
      }
      this.header.push(chunk[i++]);
      if (this.header.length === 1) continue;
      const lengthBytes = this.header.slice(1);
      const last = lengthBytes[lengthBytes.length - 1];
      if (last & 0x80) {
        // A fifth length byte is malformed MQTT: treat it as too large.
        if (lengthBytes.length === 4) return Infinity;
        continue;
      }
      const remaining = lengthBytes.reduce((sum, byte, k) => sum + (byte & 0x7f) * 128 ** k, 0);
      const packetBytes = this.header.length + remaining;
      this.header = [];
      if (packetBytes > this.maxPacketBytes) return packetBytes;
      this.skip = remaining;
    }
    return undefined;
  }
}
