/**
 * Preloaded into the course kernel (`node -r`): no ZeroMQ message of tslab's is lost to
 * "Socket is busy writing".
 *
 * zeromq 6 allows one write in progress per socket; `send` during it throws EBUSY. tslab 1.0.22
 * never waits for its sends (`sock.send(...)` in ZmqMessage.signAndSend, dist/jupyter.js): when a
 * cell prints a burst of output, a later send (a stream, or the "idle" status that ends the cell)
 * throws inside tslab, nobody catches it, and the message is lost (a client then waits for an
 * idle that never comes) or the kernel process dies (exit code 7) in the middle of a lecture.
 *
 * zeromq sends at once while it can, and after a run of sends (so as not to starve the event
 * loop) it defers the next write; until that write is done, `send` throws EBUSY synchronously.
 * Here a send goes straight to zeromq as before; only one that meets EBUSY (or arrives while
 * others wait) is queued, and goes out when the write ahead of it has finished. A failure is
 * written to stderr instead of killing the kernel. Order is kept, which the Jupyter protocol
 * relies on (outputs before "idle").
 */
"use strict";
const zmq = require("zeromq");

const PATCHED = Symbol.for("course.kernel.serialSend");
const proto = zmq.Socket.prototype;

const isBusy = (error) => Boolean(error) && (error.code === "EBUSY" || /busy writing/.test(String(error.message)));

function reportDropped(error) {
  process.stderr.write(`[course kernel] a ZeroMQ send failed and was dropped: ${error && error.message}\n`);
}

if (!proto[PATCHED]) {
  const send = proto.send;
  const states = new WeakMap(); // socket → { tail: the last send's promise, waiting: sends queued by us }

  function serialSend(message) {
    let state = states.get(this);
    if (!state) states.set(this, (state = { tail: Promise.resolve(), waiting: 0 }));
    if (state.waiting === 0) {
      // Nothing queued: hand it to zeromq now, synchronously, as tslab expects (a cell that
      // prints and then calls process.exit still gets its output out).
      try {
        state.tail = send.call(this, message).catch(reportDropped);
        return state.tail;
      } catch (error) {
        if (!isBusy(error)) {
          reportDropped(error);
          return Promise.resolve();
        }
        // zeromq is still writing an earlier message: queue this one behind it
      }
    }
    state.waiting++;
    state.tail = state.tail.then(() => {
      state.waiting--;
      try {
        return send.call(this, message).catch(reportDropped);
      } catch (error) {
        reportDropped(error);
      }
    });
    return state.tail;
  }
  // The native binding defines send read-only but configurable.
  Object.defineProperty(proto, "send", { value: serialSend, writable: false, enumerable: false, configurable: true });
  proto[PATCHED] = true;
}
