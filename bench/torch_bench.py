"""PyTorch (CPU) side of `npm run bench`: the models of bench/models.ts, same sizes, losses and
optimiser, timed the same way (warm-up, then several timed runs of about `--seconds` each, median).

Standalone it prints one JSON object: {"meta": {...}, "results": [{"name", "unit", "values"}]};
with --serve it speaks bench/child.ts's line protocol, so the runner interleaves its runs.
The case names match bench/training.bench.ts and bench/matmul.bench.ts, so the runner can put
the numbers side by side. Run by bench/run.ts; by hand: python bench/torch_bench.py --runs 3
"""
import argparse
import json
import math
import os
import platform
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234


def dense_autoencoder(batch):
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(),
        nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 784))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 784)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(x), x)
        loss.backward()
        opt.step()
        return loss.item()
    return batch, step


def mlp_gan(batch=128):
    g = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Sigmoid())
    d = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 784)
    z = torch.randn(batch, 100)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    bce = F.binary_cross_entropy_with_logits

    def step():
        # Same work as the tfjs step: G forward without gradient for D's step, then a full G step.
        with torch.no_grad():
            fake = g(z)
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce(d(real), ones) + bce(d(fake), zeros)
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce(d(g(z)), ones)
        g_loss.backward()
        g_opt.step()
        return d_loss.item() + g_loss.item()
    return batch, step


def char_lstm(vocab=60, units=128, steps=64, batch=64):
    lstm = nn.LSTM(vocab, units, batch_first=True)
    head = nn.Linear(units, vocab)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-2)
    ids = torch.randint(0, vocab, (batch, steps + 1))
    x = F.one_hot(ids[:, :steps], vocab).float()  # one-hot input, as on the tfjs side
    y = ids[:, 1:]

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        loss = F.cross_entropy(head(out).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        opt.step()
        return loss.item()
    return batch, step


def encoder_block(d_model=64, heads=4, tokens=64, batch=32, ffn=256):
    block = nn.TransformerEncoderLayer(d_model, heads, ffn, dropout=0.0, batch_first=True)
    opt = torch.optim.Adam(block.parameters(), lr=1e-3)
    x = torch.randn(batch, tokens, d_model)
    target = torch.randn(batch, tokens, d_model)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(block(x), target)
        loss.backward()
        opt.step()
        return loss.item()
    return batch, step


def matmul(n, k, m):
    a, b = torch.randn(n, k), torch.randn(k, m)

    def step():
        (a @ b).sum().item()  # .item() as the tfjs side reads its result back
        return 2 * n * k * m
    return None, step


TRAINING = {
    "dense AE b128": lambda: dense_autoencoder(128),
    "dense AE b512": lambda: dense_autoencoder(512),
    "MLP GAN b128": lambda: mlp_gan(128),
    "char LSTM b64": lambda: char_lstm(),
    "transformer block b32": lambda: encoder_block(),
}
def batched_matmul(batch, n, k, m):
    a, b = torch.randn(batch, n, k), torch.randn(batch, m, k)

    def step():
        (a @ b.transpose(1, 2)).sum().item()
        return 2 * batch * n * k * m
    return None, step


MATMUL = {
    "matmul 128x784x256": lambda: matmul(128, 784, 256),
    "matmul 1024x1024x1024": lambda: matmul(1024, 1024, 1024),
    "batched matmul 128x[64x16x64] (attention)": lambda: batched_matmul(128, 64, 16, 64),
}


def scalar_adds(ops=100):
    a, b = torch.tensor(1.5), torch.tensor(2.5)

    def step():
        for _ in range(ops):
            a + b
        return ops
    return None, step


OVERHEAD = {
    "scalar add, ops/s": scalar_adds,
}


def warm_up(step, work, seconds):
    """At least 2 calls and 0.3 s; returns how many calls make one timed run of about `seconds`."""
    t0 = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - t0 < min(0.3, seconds):
        step()
        calls += 1
    return max(1, math.ceil(seconds / ((time.perf_counter() - t0) / calls)))


def timed_run(step, work, calls, scale, with_cpu=False):
    """Work per second of wall-clock time (and, with_cpu, also per CPU-second of this process)."""
    done = 0.0
    cpu0 = time.process_time()
    start = time.perf_counter()
    for _ in range(calls):
        w = step()
        done += work if work is not None else w
    value = done / (time.perf_counter() - start) * scale
    if not with_cpu:
        return value
    return value, done / max(time.process_time() - cpu0, 1e-9) * scale


def meta():
    return {
        "backend": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "mkl": torch.backends.mkl.is_available(),
    }


def cases():
    for table, unit, scale in ((TRAINING, "samples/s", 1.0), (MATMUL, "GFLOP/s", 1e-9), (OVERHEAD, "ops/s", 1.0)):
        for name, make in table.items():
            yield name, unit, scale, make


def send(message):
    sys.stdout.write("@@bench " + json.dumps(message) + "\n")
    sys.stdout.flush()


def serve(seconds):
    """The protocol of bench/child.ts, so the runner can interleave PyTorch's runs with tfjs's."""
    table = {name: (unit, scale, make) for name, unit, scale, make in cases()}
    send({"ready": True, "meta": meta(), "cases": [{"name": n, "unit": u} for n, (u, _, _) in table.items()]})
    current = None
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["op"] == "setup":
                unit, scale, make = table[msg["name"]]
                torch.manual_seed(SEED)
                work, step = make()
                calls = warm_up(step, work, seconds)
                current = (step, work, calls, scale)
                send({"ok": True, "calls": calls})
            elif msg["op"] == "run":
                step, work, calls, scale = current
                value, per_cpu = timed_run(step, work, calls, scale, with_cpu=True)
                send({"value": value, "perCpu": per_cpu})
            elif msg["op"] == "dispose":
                current = None
                send({"ok": True, "leaked": 0})
            elif msg["op"] == "exit":
                send({"ok": True})
                return
        except Exception as err:  # reported to the runner, which shows it in the table
            send({"error": f"{type(err).__name__}: {err}"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--only", default="", help="substring filter on case names")
    parser.add_argument("--serve", action="store_true", help="speak bench/run.ts's line protocol")
    args = parser.parse_args()
    if os.environ.get("BENCH_THREADS"):  # set by `npm run bench -- --threads N`
        torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    if args.serve:
        serve(args.seconds)
        return
    torch.manual_seed(SEED)
    results = []
    for name, unit, scale, make in cases():
        if args.only and args.only not in name:
            continue
        work, step = make()
        calls = warm_up(step, work, args.seconds)
        values = [timed_run(step, work, calls, scale) for _ in range(args.runs)]
        results.append({"name": name, "unit": unit, "values": values})
        print(f"pytorch  {name}: {sorted(values)[len(values) // 2]:.1f} {unit}", file=sys.stderr)
    print(json.dumps({"meta": meta(), "results": results}))


if __name__ == "__main__":
    main()
