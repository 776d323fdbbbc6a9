/**
 * Preloaded into the course kernel (`node -r`): makes each ZeroMQ socket send one message at a
 * time, as zeromq 6 requires.
 *
 * zeromq 6 allows one send in flight per socket; a second `send` before the first has finished
 * fails with "Socket is busy writing" (EBUSY). tslab 1.0.22 never waits for its sends
 * (`sock.send(...)` in ZmqMessage.signAndSend, dist/jupyter.js): when a cell prints a burst of
 * output, or ends while its last output is still being written, the "idle" status is sent into
 * a busy socket. The rejection is not handled, so the message is lost (a client then waits for
 * an idle that never comes) or the kernel process dies (exit code 7) in the middle of a lecture.
 *
 * Here every socket gets a queue: a send starts when the previous one on the same socket has
 * settled, and a failure is written to stderr instead of killing the kernel. Order is kept,
 * which the Jupyter protocol relies on (outputs before "idle").
 */
"use strict";
const zmq = require("zeromq");

const PATCHED = Symbol.for("course.kernel.serialSend");
const proto = zmq.Socket.prototype;

if (!proto[PATCHED]) {
  const send = proto.send;
  const queues = new WeakMap(); // socket → the promise of its last send
  function serialSend(message) {
    const previous = queues.get(this) || Promise.resolve();
    const next = previous.then(() => send.call(this, message));
    const settled = next.catch((error) => {
      process.stderr.write(`[course kernel] a ZeroMQ send failed and was dropped: ${error && error.message}\n`);
    });
    queues.set(this, settled);
    return settled;
  }
  // The native binding defines send read-only but configurable.
  Object.defineProperty(proto, "send", { value: serialSend, writable: false, enumerable: false, configurable: true });
  proto[PATCHED] = true;
}
