/**
 * The Jupyter wire protocol: how one message travels as ZeroMQ frames.
 *
 *   [routing ids…] "<IDS|MSG>" signature header parent_header metadata content [buffers…]
 *
 * The signature is the hex HMAC-SHA256 (key from the connection file) over the four JSON
 * frames. Routing ids may be zero or more frames, so the delimiter is searched for, never
 * assumed at a fixed position.
 * https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
import * as crypto from "crypto";

export const DELIMITER = "<IDS|MSG>";
const DELIMITER_BYTES = Buffer.from(DELIMITER);
export const PROTOCOL_VERSION = "5.3";

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  header: MessageHeader;
  /** Empty object when the message answers nothing. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

export function sign(key: string, frames: (string | Buffer)[]): string {
  if (!key) return "";
  const hmac = crypto.createHmac("sha256", key);
  for (const f of frames) hmac.update(f);
  return hmac.digest("hex");
}

export function newHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: crypto.randomUUID(),
    msg_type: msgType,
    session,
    username: "nbconvert-ts",
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/** Frames for a message sent from a client (a DEALER socket adds no routing id itself). */
export function encode(key: string, message: Omit<Message, "buffers"> & { buffers?: Buffer[] }): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((p) => Buffer.from(JSON.stringify(p)));
  return [DELIMITER_BYTES, Buffer.from(sign(key, parts)), ...parts, ...(message.buffers ?? [])];
}

/** Parses frames into a message, checking the signature; throws with the reason when malformed. */
export function decode(key: string, frames: Buffer[]): Message {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  if (at < 0) throw new Error("message has no <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new Error(`message has ${frames.length - at - 1} frames after the delimiter, expected at least 5`);
  const signature = frames[at + 1].toString();
  const parts = frames.slice(at + 2, at + 6);
  if (key) {
    const expected = sign(key, parts);
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw new Error("message signature does not match the connection key");
  }
  const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString("utf8")));
  return { header, parent_header: parent ?? {}, metadata: metadata ?? {}, content: content ?? {}, buffers: frames.slice(at + 6) };
}
